"""Static vocabularies the synthetic catalogue draws from."""

from __future__ import annotations

from typing import NamedTuple


class Genre(NamedTuple):
    id: int
    name: str
    name_de: str
    weight: float  # relative frequency among movies


# Ids, names and order exactly as GET /3/genre/movie/list (en and de captures).
GENRES: tuple[Genre, ...] = (
    Genre(28, "Action", "Action", 7.0),
    Genre(12, "Adventure", "Abenteuer", 4.0),
    Genre(16, "Animation", "Animation", 5.0),
    Genre(35, "Comedy", "Komödie", 18.0),
    Genre(80, "Crime", "Krimi", 5.0),
    Genre(99, "Documentary", "Dokumentarfilm", 14.0),
    Genre(18, "Drama", "Drama", 30.0),
    Genre(10751, "Family", "Familie", 4.0),
    Genre(14, "Fantasy", "Fantasy", 3.0),
    Genre(36, "History", "Historie", 2.5),
    Genre(27, "Horror", "Horror", 7.0),
    Genre(10402, "Music", "Musik", 4.0),
    Genre(9648, "Mystery", "Mystery", 3.0),
    Genre(10749, "Romance", "Liebesfilm", 7.0),
    Genre(878, "Science Fiction", "Science Fiction", 3.0),
    Genre(10770, "TV Movie", "TV-Film", 4.0),
    Genre(53, "Thriller", "Thriller", 7.0),
    Genre(10752, "War", "Kriegsfilm", 1.5),
    Genre(37, "Western", "Western", 1.5),
)
GENRE_BIT: dict[int, int] = {g.id: 1 << i for i, g in enumerate(GENRES)}
GENRE_NAME: dict[int, str] = {g.id: g.name for g in GENRES}

# Ids, names and order exactly as GET /3/genre/tv/list (the spec's German example; the
# English names are TMDB's).
TV_GENRES: tuple[Genre, ...] = (
    Genre(10759, "Action & Adventure", "Action & Adventure", 5.0),
    Genre(16, "Animation", "Animation", 8.0),
    Genre(35, "Comedy", "Komödie", 14.0),
    Genre(80, "Crime", "Krimi", 7.0),
    Genre(99, "Documentary", "Dokumentarfilm", 9.0),
    Genre(18, "Drama", "Drama", 24.0),
    Genre(10751, "Family", "Familie", 4.0),
    Genre(10762, "Kids", "Kids", 4.0),
    Genre(9648, "Mystery", "Mystery", 4.0),
    Genre(10763, "News", "News", 2.0),
    Genre(10764, "Reality", "Reality", 7.0),
    Genre(10765, "Sci-Fi & Fantasy", "Sci-Fi & Fantasy", 4.0),
    Genre(10766, "Soap", "Soap", 3.0),
    Genre(10767, "Talk", "Talk", 3.0),
    Genre(10768, "War & Politics", "War & Politics", 1.5),
    Genre(37, "Western", "Western", 0.5),
)
TV_GENRE_BIT: dict[int, int] = {g.id: 1 << i for i, g in enumerate(TV_GENRES)}
TV_GENRE_NAME: dict[int, str] = {g.id: g.name for g in TV_GENRES}


class Language(NamedTuple):
    code: str
    english_name: str
    name: str
    weight: float
    country: str
    words: tuple[str, ...]


_LATIN_FR = ("nuit", "amour", "ville", "temps", "rêve", "mer", "jour", "cœur", "ombre", "été")
_LATIN_ES = ("noche", "amor", "ciudad", "tiempo", "sueño", "mar", "vida", "sombra", "fuego")
_LATIN_DE = ("Nacht", "Liebe", "Stadt", "Zeit", "Traum", "Meer", "Herz", "Schatten", "Weg")
_LATIN_IT = ("notte", "amore", "città", "tempo", "sogno", "mare", "cuore", "ombra", "vita")
_LATIN_PT = ("noite", "amor", "cidade", "tempo", "sonho", "mar", "coração", "sombra")
_LATIN_SV = ("natt", "kärlek", "stad", "tid", "dröm", "hav", "hjärta", "skugga")
_LATIN_NL = ("nacht", "liefde", "stad", "tijd", "droom", "zee", "hart", "schaduw")
_LATIN_TR = ("gece", "aşk", "şehir", "zaman", "rüya", "deniz", "kalp", "gölge")
_LATIN_PL = ("noc", "miłość", "miasto", "czas", "sen", "morze", "serce", "cień")
_JA = ("夜", "愛", "東京", "時間", "夢", "海", "心", "影", "物語", "桜")
_KO = ("밤", "사랑", "도시", "시간", "꿈", "바다", "마음", "그림자", "이야기")
_ZH = ("夜", "爱", "城市", "时间", "梦", "海", "心", "影子", "故事", "江湖")
_HI = ("रात", "प्यार", "शहर", "समय", "सपना", "दिल", "कहानी", "दोस्ती")
_RU = ("Ночь", "Любовь", "Город", "Время", "Сон", "Море", "Сердце", "Тень")
_TA = ("இரவு", "காதல்", "நகரம்", "கனவு", "கடல்", "இதயம்")
_TE = ("రాత్రి", "ప్రేమ", "నగరం", "కల", "సముద్రం", "హృదయం")

LANGUAGES: tuple[Language, ...] = (
    Language("en", "English", "English", 50.0, "US", ()),
    Language("fr", "French", "Français", 7.0, "FR", _LATIN_FR),
    Language("es", "Spanish", "Español", 6.0, "ES", _LATIN_ES),
    Language("ja", "Japanese", "日本語", 6.0, "JP", _JA),
    Language("de", "German", "Deutsch", 5.0, "DE", _LATIN_DE),
    Language("it", "Italian", "Italiano", 4.0, "IT", _LATIN_IT),
    Language("ko", "Korean", "한국어/조선말", 3.0, "KR", _KO),
    Language("hi", "Hindi", "हिन्दी", 3.0, "IN", _HI),
    Language("zh", "Mandarin", "普通话", 3.0, "CN", _ZH),
    Language("ru", "Russian", "Pусский", 3.0, "RU", _RU),
    Language("pt", "Portuguese", "Português", 3.0, "BR", _LATIN_PT),
    Language("sv", "Swedish", "svenska", 1.5, "SE", _LATIN_SV),
    Language("nl", "Dutch", "Nederlands", 1.0, "NL", _LATIN_NL),
    Language("tr", "Turkish", "Türkçe", 1.5, "TR", _LATIN_TR),
    Language("pl", "Polish", "Polski", 1.0, "PL", _LATIN_PL),
    Language("cn", "Cantonese", "广州话 / 廣州話", 1.0, "HK", _ZH),
    Language("ta", "Tamil", "தமிழ்", 1.0, "IN", _TA),
    Language("te", "Telugu", "తెలుగు", 1.0, "IN", _TE),
)
LANGUAGE_CODES: tuple[str, ...] = tuple(lang.code for lang in LANGUAGES)
LANGUAGE_INDEX: dict[str, int] = {code: i for i, code in enumerate(LANGUAGE_CODES)}

COUNTRIES: dict[str, str] = {
    "US": "United States of America",
    "GB": "United Kingdom",
    "CA": "Canada",
    "AU": "Australia",
    "FR": "France",
    "ES": "Spain",
    "MX": "Mexico",
    "JP": "Japan",
    "DE": "Germany",
    "IT": "Italy",
    "KR": "South Korea",
    "IN": "India",
    "CN": "China",
    "RU": "Russia",
    "BR": "Brazil",
    "SE": "Sweden",
    "NL": "Netherlands",
    "TR": "Turkey",
    "PL": "Poland",
    "HK": "Hong Kong",
    "AT": "Austria",
    "BE": "Belgium",
}
EN_COUNTRIES: tuple[str, ...] = ("US", "US", "US", "GB", "CA", "AU")

EN_ADJECTIVES: tuple[str, ...] = (
    "Last", "Silent", "Broken", "Hidden", "Golden", "Lost", "Dark", "Endless", "Final", "Wild",
    "Crimson", "Frozen", "Distant", "Secret", "Burning", "Little", "Northern", "Midnight",
    "Savage", "Gentle", "Electric", "Hollow", "Forgotten", "Bright", "Bitter", "Restless",
)  # fmt: skip
EN_NOUNS: tuple[str, ...] = (
    "Road", "River", "Kingdom", "Summer", "Night", "Garden", "Storm", "Promise", "Shadow",
    "Harbor", "Empire", "Echo", "Heart", "Frontier", "Island", "Memory", "Witness", "Signal",
    "Crown", "Dream", "Mountain", "Hunter", "Station", "Letter", "Winter", "Circle", "Horizon",
    "Orchard", "Mirror", "Fortune", "Machine", "Lighthouse", "Stranger", "Protocol", "Ghost",
)  # fmt: skip
FIRST_NAMES_F: tuple[str, ...] = (
    "Anna", "Maria", "Emma", "Olivia", "Sofia", "Grace", "Julia", "Laura", "Chloe", "Nina",
    "Hannah", "Claire", "Mei", "Yuki", "Priya", "Elena", "Camille", "Isabel", "Ruth", "Alice",
)  # fmt: skip
FIRST_NAMES_M: tuple[str, ...] = (
    "James", "John", "David", "Michael", "Lucas", "Marco", "Daniel", "Hiroshi", "Raj", "Pierre",
    "Thomas", "Samuel", "Victor", "Leon", "Oscar", "Felix", "Arjun", "Kenji", "Paul", "Hugo",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Brown", "Garcia", "Miller", "Martin", "Dubois", "Rossi", "Tanaka",
    "Kim", "Sharma", "Müller", "Novak", "Silva", "Lindqvist", "Walker", "Hughes", "Moreau",
    "Costa", "Nakamura", "Park", "Patel", "Fischer", "Bianchi", "Okafor", "Reyes", "Young",
    "Carter", "Bennett", "Hayes", "Sato", "Ivanova", "Kowalski", "Andersen", "Chen", "Wright",
)  # fmt: skip
CHARACTER_ROLES: tuple[str, ...] = (
    "Detective", "Nurse", "Bartender", "Himself", "Herself", "Narrator (voice)", "Guard",
    "Mother", "Father", "Doctor", "Reporter", "Waitress", "Soldier", "Teacher", "Driver",
)  # fmt: skip
DEPARTMENTS: tuple[str, ...] = (
    "Acting", "Directing", "Writing", "Production", "Sound", "Camera", "Editing", "Art",
    "Costume & Make-Up", "Visual Effects", "Crew", "Lighting",
)  # fmt: skip
CREW_JOBS: tuple[tuple[str, str], ...] = (
    ("Writing", "Screenplay"), ("Writing", "Writer"), ("Writing", "Novel"),
    ("Production", "Producer"), ("Production", "Executive Producer"), ("Production", "Casting"),
    ("Production", "Line Producer"), ("Production", "Unit Production Manager"),
    ("Sound", "Original Music Composer"), ("Sound", "Sound Designer"), ("Sound", "Foley Artist"),
    ("Sound", "Sound Re-Recording Mixer"), ("Camera", "Director of Photography"),
    ("Camera", "Camera Operator"), ("Editing", "Editor"), ("Editing", "First Assistant Editor"),
    ("Art", "Production Design"), ("Art", "Art Direction"), ("Art", "Set Decoration"),
    ("Costume & Make-Up", "Costume Design"), ("Costume & Make-Up", "Makeup Artist"),
    ("Visual Effects", "Visual Effects Supervisor"), ("Crew", "Stunts"),
    ("Crew", "Stunt Coordinator"), ("Lighting", "Gaffer"), ("Directing", "Script Supervisor"),
    ("Directing", "First Assistant Director"),
)  # fmt: skip
KEYWORDS: tuple[str, ...] = (
    "based on novel or book", "friendship", "revenge", "small town", "new york city",
    "love triangle", "coming of age", "dystopia", "murder", "heist", "time travel", "road trip",
    "family relationships", "biography", "sequel", "prison", "artificial intelligence", "war",
    "survival", "journalism", "haunted house", "serial killer", "high school", "space",
    "based on true story", "kidnapping", "dark comedy", "alien", "musician", "vampire",
    "world war ii", "detective", "sports", "martial arts", "superhero", "island", "wedding",
    "father son relationship", "mother daughter relationship", "police", "corruption",
    "conspiracy", "zombie", "robot", "magic", "dragon", "underdog", "escape", "betrayal",
    "amnesia", "dual identity", "insomnia", "paris, france", "london, england", "tokyo, japan",
    "los angeles, california", "desert", "mountain", "ocean", "nightclub", "hospital",
    "remake", "woman director", "duringcreditsstinger", "aftercreditsstinger", "lgbt",
    "holiday", "christmas", "satire", "anthology", "mockumentary", "courtroom", "bank robbery",
)  # fmt: skip
COMPANY_WORDS: tuple[str, ...] = (
    "Pictures",
    "Films",
    "Studios",
    "Entertainment",
    "Productions",
    "Media",
    "Film Partners",
)
TAGLINES: tuple[str, ...] = (
    "Some promises are meant to be broken.", "Nothing stays buried forever.",
    "The truth has a price.", "One night changes everything.", "Every legend has a beginning.",
    "Home is where the fight is.", "Trust no one.", "The end is only the beginning.",
    "Fear has a new name.", "Love finds a way.", "", "Based on an unbelievable true story.",
)  # fmt: skip
OVERVIEW_SUBJECTS: tuple[str, ...] = (
    "A retired detective", "An estranged sister", "A young musician", "A small-town nurse",
    "An ambitious reporter", "A reluctant hero", "A grieving father", "A group of friends",
    "A brilliant scientist", "An aging boxer", "A teenage runaway", "A disgraced pilot",
)  # fmt: skip
OVERVIEW_VERBS: tuple[str, ...] = (
    "uncovers", "must confront", "sets out to find", "is drawn into", "races to stop",
    "tries to escape", "stumbles upon", "fights to protect",
)  # fmt: skip
OVERVIEW_OBJECTS: tuple[str, ...] = (
    "a conspiracy that reaches the highest levels of power", "the secret of a forgotten family",
    "a deadly game with no rules", "the truth behind a decades-old disappearance",
    "an unexpected chance at love", "a heist that could change everything",
    "a threat from beyond the stars", "the ghosts of a violent past",
)  # fmt: skip
