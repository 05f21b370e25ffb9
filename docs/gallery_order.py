"""The gallery's order: the examples that run as the docs build first, then the scripts."""


class RunFirst:
    """Sort key (sphinx-gallery's ``within_subsection_order``): ``plot_*.py`` files first."""

    def __init__(self, src_dir: str):
        self.src_dir = src_dir

    def __call__(self, filename: str) -> tuple[bool, str]:
        return (not filename.startswith("plot_"), filename)
