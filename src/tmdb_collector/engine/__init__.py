"""Engine: runs a plan through the client into the store (collect and update), with progress for
the terminal and the dashboard.
"""
