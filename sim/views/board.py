"""The dashboard's board: its four pictures of a session, redrawn cheaply every step."""

from __future__ import annotations

from collections.abc import Sequence

from sim.views.account import AccountPicture
from sim.views.belief import BeliefPicture
from sim.views.catalogue import INDICATORS
from sim.views.indicators import IndicatorsPicture
from sim.views.live import Live
from sim.views.maps import MapPicture
from sim.views.session import Session


class Board:
    """The dashboard's four pictures of a session, redrawn cheaply every step."""

    def __init__(self, session: Session, metrics: Sequence[str] = INDICATORS) -> None:
        s, r, n = session.sides, session.rounds, session.names
        self.pictures: dict[str, Live] = {
            "indicators": IndicatorsPicture(s, r, metrics),
            "map": MapPicture(s, n),
            "account": AccountPicture(s, r),
            "belief": BeliefPicture(s, r, n),
        }

    def pngs(self) -> dict[str, bytes]:
        """PNG of every picture at the current round."""
        return {name: picture.png() for name, picture in self.pictures.items()}
