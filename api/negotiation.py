"""HTTP content negotiation: the offered media type the client's Accept header prefers."""

from __future__ import annotations


def _ranges(accept: str | None) -> list[tuple[str, float]]:
    if not accept or not accept.strip():
        return [("*/*", 1.0)]
    ranges = []
    for part in accept.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        if not media:
            continue
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality))
    return ranges


def quality(accept: str | None, offer: str) -> float:
    """The quality the client gives `offer`: that of the most specific matching range."""
    kind = offer.split("/")[0]
    best, specificity = 0.0, -1
    for media, q in _ranges(accept):
        if media == offer:
            rank = 2
        elif media == f"{kind}/*":
            rank = 1
        elif media in ("*/*", "*"):
            rank = 0
        else:
            continue
        if rank > specificity:
            best, specificity = q, rank
    return best


def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The offer the client prefers (ties go to the earlier offer), or None if it accepts none."""
    scored = [(quality(accept, offer), -index, offer) for index, offer in enumerate(offers)]
    q, _, offer = max(scored)
    return offer if q > 0 else None
