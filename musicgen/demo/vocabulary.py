"""Words for the template lyric writer: what to skip in prompts, fallbacks and line templates."""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP_WORDS = _words(
    """
    a an the and or but of to in on at for with without from by about into over under is are was were
    be been being am i me my we our you your he she it its they them their this that these those as so
    very just really some any all no not song songs track music write written make create lyrics lyric
    style vocal vocals voice singer sung sing female male feat featuring bpm tempo beat beats slow fast
    mid like feel feeling vibe vibes genre instrumental please want need would should could can will
    intro verse chorus bridge outro hook one two three
    """
)
# Genre, instrument and production words describe the sound, not what the song is about.
MUSIC_WORDS = _words(
    """
    pop rock house trap ballad jazz folk edm techno metal punk reggae country hip hop rap lo-fi lofi
    r&b rnb soul ambient drum bass dnb disco funk synthwave indie acoustic cinematic orchestral
    classical latin k-pop kpop piano strings guitar synth pad pads 808 drums organ violin cello keys
    electronic dance
    """
)
# Mood words that are nouns ("a summer", "the rain"), so they are not used as adjectives.
MOOD_NOUNS = _words(
    """
    summer love party joy rain night midnight tears celebration dance dancing smile light grief sorrow
    regret goodbye heartbreak rage fun
    """
)
ADJECTIVE_SUFFIXES = ("ful", "ous", "ive", "less", "ish", "ic", "ical", "ern")
# (nouns, adjectives) to top up thin prompts, by mood: minor (True) or major (False).
FALLBACK = {
    True: (["rain", "night", "heart", "shadow", "memory", "river"], ["lonely", "cold", "quiet", "fading"]),
    False: (["sun", "summer", "heart", "sky", "light", "road"], ["golden", "bright", "warm", "wild"]),
}
TEMPLATES: dict[str, tuple[str, ...]] = {
    "verse": (
        "I walk beneath the {a} {n}",
        "Every {n} remembers your name",
        "The {n} is calling me again",
        "We were young and the {n} was {a}",
        "Counting every {n} along the way",
        "There's a {a} {n} inside my chest",
        "Down the road where the {n2} begins",
        "I keep your {n} in a {a} frame",
        "Morning breaks over the {n2}",
        "Whispers of the {n} in the {a} air",
        "Painting {n2} across the {a} sky",
        "Holding on to the {n} we made",
    ),
    "pre_chorus": (
        "And I can feel it rising now",
        "Hold on, the {n} is near",
        "Don't let this {a} moment go",
        "Something in the {n2} is changing",
    ),
    "chorus": (
        "{title}, take me higher",
        "We are {a} like the {n}",
        "Sing it loud into the {n2}",
        "{title}, never let it go",
        "Hold me close through the {a} {n}",
        "Oh, the {n} is ours tonight",
    ),
    "bridge": (
        "If the {n} should fall apart",
        "I will find my way to you",
        "Through the {a} and the {n2}",
        "Every {n} turns into gold",
        "Maybe {a} is all we need",
    ),
    "outro": ("{title}", "The {n} fades, but we remain", "Still {a}, still here"),
}
