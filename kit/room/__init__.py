"""Running the room: the shared Lab, links, projector dashboard, run sheet, laptops, team notebooks."""

__all__: list[str] = []
