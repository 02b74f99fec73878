"""The engine's own error: a request outside the supported pymongo subset.

Every other failure is raised as the pymongo exception MongoDB would cause, so
store code catches one set of exception types whatever the engine.
"""


class UnsupportedOperation(NotImplementedError):
    """Raised, naming the operator/method/option, instead of guessing an answer."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} is not supported by the embedded store (docstore)")
        self.what = what
