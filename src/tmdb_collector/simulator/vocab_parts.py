"""Static vocabularies of the movie and TV sub-resources: watch providers, age ratings,
video and image kinds, review and list words.

Provider ids, names and logo paths are TMDB's own (the captures' ``watch/providers``);
the age ratings are each country's real rating system, mildest first.
"""

from __future__ import annotations

from typing import NamedTuple


class Provider(NamedTuple):
    id: int
    name: str
    logo_path: str


_P = Provider
APPLE_TV = _P(2, "Apple TV", "/peURlLlr8jggOwK53fJ5wdQl05y.jpg")
GOOGLE_PLAY = _P(3, "Google Play Movies", "/tbEdFQDwx5LEVr8WpSeXQSIirVq.jpg")
NETFLIX = _P(8, "Netflix", "/t2yyOv40HZeVlLjYsCsPHnWLk4W.jpg")
PRIME_US = _P(9, "Amazon Prime Video", "/emthp39XA2YScoYL1p0sdbAH2WA.jpg")
AMAZON_VIDEO = _P(10, "Amazon Video", "/5NyLm42TmCqCMOZFvH4fcoSNKEW.jpg")
HULU = _P(15, "Hulu", "/zxrVdFjIjLqkfnwyghnfywTn3Lh.jpg")
STAN = _P(21, "Stan", "/rDd7IEBnJB0gPagFvagP1kK3pDu.jpg")
RAKUTEN = _P(35, "Rakuten TV", "/5GEbAhFW2S5T8zVc1MNvz00pIzM.jpg")
CANAL_VOD = _P(58, "Canal VOD", "/knpqBvBQjyHnFrYPJ9bbtUCv6uo.jpg")
MICROSOFT = _P(68, "Microsoft Store", "/shq88b09gTBYC4hA7K7MUL8Q4zP.jpg")
PATHE = _P(71, "Pathé Thuis", "/llmnYOyknekZsXtkCaazKjhTLvG.jpg")
VIAPLAY = _P(76, "Viaplay", "/cvl65OJnz14LUlC3yGK1KHj8UYs.jpg")
U_NEXT = _P(84, "U-NEXT", "/9pS9Y3xkCLJnti9pi1AyrD5KbZe.jpg")
WATCHA = _P(97, "Watcha", "/vXXZx0aWQtDv2klvObNugm4dQMN.jpg")
IVI = _P(113, "Ivi", "/o9ExgOSLF3OTwR6T3DJOuwOKJgq.jpg")
PRIME = _P(119, "Amazon Prime Video", "/emthp39XA2YScoYL1p0sdbAH2WA.jpg")
HOTSTAR = _P(122, "Hotstar", "/7Fl8ylPDclt3ZYgNbW2t7rbZE9I.jpg")
SKY_STORE = _P(130, "Sky Store", "/2pCbao1J9s0DMak2KKnEzmzHni8.jpg")
MOVISTAR = _P(149, "Movistar Plus", "/gZTgebCNny3MHvUxFde7gueVgT1.jpg")
MAGENTA = _P(178, "MagentaTV", "/uULoezj2skPc6amfwru72UPjYXV.jpg")
YOUTUBE = _P(192, "YouTube", "/oIkQkEkwfmcG7IGpRR1NB8frZZM.jpg")
GLOBOPLAY = _P(307, "Globoplay", "/oBoWstXQFHAlPApyxIQ31CIbNQk.jpg")
CRAVE = _P(230, "Crave", "/gJ3yVMWouaVj6iHd59TISJ1TlM5.jpg")
DISNEY = _P(337, "Disney Plus", "/7rwgEs15tFwyR9NPQ5vpzxTj19Q.jpg")
MAX = _P(384, "HBO Max", "/Ajqyt5aNxNGjmF9uOfxArGrdf3X.jpg")
NOW = _P(484, "NOW", "/cQQYtdaCg7vDo28JPru4v8Ypi8x.jpg")
PARAMOUNT = _P(531, "Paramount Plus", "/xbhHHa1YgtpwhC8lb1NQ3ACVcLd.jpg")
RTL_PLAY = _P(572, "RTL Play", "/xrHrIraInfRXnrz1zHhY1tXJowg.jpg")
VOD_POLAND = _P(245, "VOD Poland", "/kplaFNfZXsdyqsz4TAK8xaKU9Qa.jpg")
TUBI = _P(73, "Tubi TV", "/w2TDH9TRI7pltf5LjN3vXzs7QbN.jpg")
PLUTO = _P(300, "Pluto TV", "/t6N57S17sdXRXmZDAkaGP0NHNG0.jpg")
PEACOCK = _P(386, "Peacock", "/8VCV78prwd9QzZnEm0ReO6bERDa.jpg")
VUDU = _P(7, "Vudu", "/21dEscfO8n1tL35k4DANixhffsR.jpg")
CHILI = _P(40, "Chili", "/cksgBjTHV3rzAVaO2zUyS1mH4Ke.jpg")

_STORES = (APPLE_TV, AMAZON_VIDEO, GOOGLE_PLAY, YOUTUBE, MICROSOFT)
# Offer type -> providers in that country (rent and buy share the stores).
_US = {
    "flatrate": (NETFLIX, PRIME_US, HULU, MAX, DISNEY, PARAMOUNT, PEACOCK),
    "stores": (APPLE_TV, AMAZON_VIDEO, GOOGLE_PLAY, YOUTUBE, VUDU, MICROSOFT),
    "free": (TUBI, PLUTO),
}
WATCH_REGIONS: dict[str, dict[str, tuple[Provider, ...]]] = {
    "US": _US,
    "GB": {"flatrate": (NETFLIX, PRIME, DISNEY, NOW), "stores": (*_STORES, SKY_STORE, RAKUTEN)},
    "CA": {"flatrate": (NETFLIX, PRIME, DISNEY, CRAVE), "stores": _STORES},
    "AU": {"flatrate": (NETFLIX, PRIME, DISNEY, STAN), "stores": _STORES, "free": (TUBI,)},
    "DE": {"flatrate": (NETFLIX, PRIME, DISNEY, MAGENTA), "stores": (*_STORES, SKY_STORE, CHILI)},
    "AT": {"flatrate": (NETFLIX, PRIME, DISNEY), "stores": (*_STORES, SKY_STORE)},
    "FR": {"flatrate": (NETFLIX, PRIME, DISNEY), "stores": (*_STORES, CANAL_VOD, RAKUTEN)},
    "BE": {"flatrate": (NETFLIX, PRIME, DISNEY), "stores": _STORES, "ads": (RTL_PLAY,)},
    "NL": {"flatrate": (NETFLIX, PRIME, DISNEY, VIAPLAY), "stores": (*_STORES, PATHE)},
    "ES": {"flatrate": (NETFLIX, PRIME, DISNEY, MAX), "stores": (*_STORES, RAKUTEN, MOVISTAR)},
    "IT": {"flatrate": (NETFLIX, PRIME, DISNEY, NOW), "stores": (*_STORES, RAKUTEN, CHILI)},
    "SE": {"flatrate": (NETFLIX, PRIME, VIAPLAY, MAX), "stores": _STORES},
    "PL": {"flatrate": (NETFLIX, PRIME, MAX), "stores": _STORES, "free": (VOD_POLAND,)},
    "TR": {"flatrate": (NETFLIX, PRIME, DISNEY), "stores": (APPLE_TV, GOOGLE_PLAY)},
    "RU": {"flatrate": (IVI,), "stores": (APPLE_TV, GOOGLE_PLAY, IVI)},
    "JP": {"flatrate": (NETFLIX, PRIME, DISNEY, U_NEXT), "stores": (APPLE_TV, GOOGLE_PLAY)},
    "KR": {"flatrate": (NETFLIX, DISNEY, WATCHA), "stores": (APPLE_TV, GOOGLE_PLAY)},
    "IN": {"flatrate": (NETFLIX, PRIME, HOTSTAR), "stores": (APPLE_TV, GOOGLE_PLAY, YOUTUBE)},
    "BR": {"flatrate": (NETFLIX, PRIME, DISNEY, GLOBOPLAY), "stores": _STORES},
    "MX": {"flatrate": (NETFLIX, PRIME, DISNEY, MAX), "stores": _STORES},
}  # fmt: skip
OFFER_TYPES: tuple[str, ...] = ("flatrate", "rent", "buy", "free", "ads")

# Each country's age ratings, mildest first (the ``certification`` of release_dates).
MOVIE_RATINGS: dict[str, tuple[str, ...]] = {
    "US": ("G", "PG", "PG-13", "R", "NC-17"),
    "GB": ("U", "PG", "12A", "15", "18"),
    "CA": ("G", "PG", "14A", "18A", "R"),
    "AU": ("G", "PG", "M", "MA15+", "R18+"),
    "DE": ("0", "6", "12", "16", "18"),
    "AT": ("0", "6", "12", "14", "16"),
    "FR": ("U", "U", "12", "16", "18"),
    "BE": ("AL", "6", "12", "16", "18"),
    "NL": ("AL", "6", "12", "16", "18"),
    "ES": ("A", "7", "12", "16", "18"),
    "IT": ("T", "6+", "14+", "14+", "18+"),
    "SE": ("Btl", "7", "11", "15", "15"),
    "PL": ("", "", "", "", ""),
    "TR": ("Genel İzleyici Kitlesi", "7+", "13+", "15+", "18+"),
    "RU": ("0+", "6+", "12+", "16+", "18+"),
    "JP": ("G", "G", "PG12", "R15+", "R18+"),
    "KR": ("All", "12", "15", "15", "18"),
    "IN": ("U", "UA", "UA", "A", "A"),
    "BR": ("L", "10", "12", "16", "18"),
    "MX": ("AA", "A", "B", "B15", "C"),
    "HK": ("I", "I", "IIA", "IIB", "III"),
    "CN": ("", "", "", "", ""),
}
TV_RATINGS: dict[str, tuple[str, ...]] = {
    "US": ("TV-Y", "TV-G", "TV-PG", "TV-14", "TV-MA"),
    "GB": ("U", "PG", "12", "15", "18"),
    "CA": ("G", "PG", "14+", "14+", "18+"),
    "AU": ("G", "PG", "M", "MA15+", "R18+"),
    "DE": ("0", "6", "12", "16", "18"),
    "FR": ("NR", "10", "12", "16", "18"),
    "ES": ("TP", "7", "12", "16", "18"),
    "BR": ("L", "10", "12", "16", "18"),
    "KR": ("ALL", "12", "15", "15", "19"),
    "JP": ("G", "G", "PG12", "R15+", "R18+"),
    "NL": ("AL", "6", "12", "16", "18"),
    "RU": ("0+", "6+", "12+", "16+", "18+"),
}
FESTIVALS: tuple[str, ...] = (
    "Sundance Film Festival", "Toronto International Film Festival", "Berlin International "
    "Film Festival", "Cannes Film Festival", "Venice Film Festival", "South by Southwest",
    "Tribeca Film Festival", "Busan International Film Festival",
)  # fmt: skip
PHYSICAL_NOTES: tuple[str, ...] = ("", "DVD", "Blu-ray", "DVD, Blu-ray", "4K Ultra HD")

VIDEO_TYPES: tuple[str, ...] = (
    "Trailer", "Teaser", "Clip", "Featurette", "Behind the Scenes", "Bloopers",
)  # fmt: skip
VIDEO_SIZES: tuple[int, ...] = (360, 480, 720, 1080, 1080, 2160)
YOUTUBE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

REVIEW_AUTHORS: tuple[str, ...] = (
    "CinemaSerf", "msbreviews", "Manuel São Bento", "Wuchak", "r96sk", "Geronimo1967",
    "Chris Sawin", "SWITCH.", "Per Gunnar Jonsson", "tmdb28039023", "Ruuz", "Kamurai",
)  # fmt: skip
REVIEW_OPENINGS: tuple[str, ...] = (
    "A slow start gives way to something genuinely moving.",
    "I went in with low expectations and came out pleasantly surprised.",
    "The performances carry a script that never quite finds its footing.",
    "Beautifully shot, but the story loses its way in the second half.",
    "One of the most confident debuts I have seen in years.",
    "Fun, loud and instantly forgettable.",
)
REVIEW_CLOSINGS: tuple[str, ...] = (
    "Worth a watch on a quiet evening.",
    "Recommended, with reservations.",
    "A must see.",
    "Skip it unless you are a completist.",
)
LIST_NAMES: tuple[str, ...] = (
    "Watched", "My Movies", "Favourites", "To watch", "Seen movies", "Watchlist", "Plex",
    "DVD / Blu-ray collection", "Best of the decade", "Movies", "Films", "Peliculas", "Vu",
)  # fmt: skip


class Network(NamedTuple):
    id: int
    logo_path: str
    name: str
    origin_country: str


# Network ids and names as TMDB has them; a series airs on one of its country's networks.
_N = Network
NETWORKS: dict[str, tuple[Network, ...]] = {
    "US": (_N(49, "/tuomPhY2UtuPTqqFnKMVHvSb724.png", "HBO", "US"),
           _N(213, "/wwemzKWzjKYJFfCeiB57q3r4Bcm.png", "Netflix", ""),
           _N(174, "/pmvRmATOCaDykE6JrVoeYxlFHw3.png", "AMC", "US"),
           _N(6, "/o3OedEP0f9mfZr33jz2BfXOUK5.png", "NBC", "US"),
           _N(16, "/nm8d7P7MJNiBLdgIzUK0gkuEA4r.png", "CBS", "US"),
           _N(2, "/ndAvF4JLsliGreX87jAc9GdjmJY.png", "ABC", "US"),
           _N(453, "/pqUTCleNUiTLAVlelGxUgWn1ELh.png", "Hulu", "US"),
           _N(1024, "/ifhbNuuVnlwYy5oXA5VIb2YR8AZ.png", "Prime Video", ""),
           _N(2552, "/4KAy34EHvRM25Ih8wb82AuGU7zJ.png", "Apple TV+", "US"),
           _N(88, "/aexGjtcs42DgRtZh7zOxayiry4J.png", "FX", "US")),
    "GB": (_N(4, "/mVn7xESaTNmjBUyUtGNvDQd3CT1.png", "BBC One", "GB"),
           _N(9, "/5Tr55BjX6Qd0CyKUeY5U6bmOMYR.png", "ITV1", "GB"),
           _N(26, "/6ooPjtXufjsoskdJqj6pxuvHEno.png", "Channel 4", "GB")),
    "CA": (_N(56, "/rOgnqsTDRyBeRqfRnqYvGdHP0K4.png", "CBC Television", "CA"),),
    "AU": (_N(38, "/1oSt7UzFiZZiOVJ7RG9ZILzNLFe.png", "ABC TV", "AU"),),
    "FR": (_N(290, "/kzxWIbP2Mm8RyTOhJ8ANmc3HnU8.png", "TF1", "FR"),
           _N(285, "/9aotxauvc9685tq9pTcRJszuT06.png", "Canal+", "FR")),
    "DE": (_N(31, "/yg9v3Hu6DUmlRDOvaLDyEXzKQQw.png", "ZDF", "DE"),
           _N(308, "/nGl2dJkVw4JbLO5fVSmRmn5Zlld.png", "Das Erste", "DE")),
    "ES": (_N(1, "/yS5UJjsSdZXML0YikWTYYHLPKhQ.png", "La 1", "ES"),),
    "JP": (_N(614, "/hSdroyVthq3CynxTIIY7lnS8w1.png", "Tokyo MX", "JP"),
           _N(1, "/yS5UJjsSdZXML0YikWTYYHLPKhQ.png", "Fuji TV", "JP"),
           _N(160, "/aZRVFVmHuXfcAWGVhmLwFgBc9YB.png", "TBS", "JP")),
    "KR": (_N(866, "/aRDq8zDdpQgKaNgmSEeEFHLj5Er.png", "tvN", "KR"),
           _N(97, "/pOSCKaZhndEFYg6bxt8tLqnYDxz.png", "MBC", "KR"),
           _N(156, "/xt7ZLbnZdCgtDDN4ITHvJbSmDlf.png", "SBS", "KR")),
    "BR": (_N(1228, "/kcRQD2FzA9CzzFhJ0sE0Ll7hLDn.png", "TV Globo", "BR"),),
}  # fmt: skip
