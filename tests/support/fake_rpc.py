"""A stand-in for the gateway's RPC pool: the unit tests of the gateway answer its calls without a broker."""


class FakeRpcPool:
    """Answers ``call(service, method, ...)`` from ``answers``: a value, an exception to raise,
    or a function of the call's arguments; records every call."""

    def __init__(self, **answers):
        self.answers = {tuple(name.split(".")): answer for name, answer in answers.items()}
        self.calls = []

    def answer(self, name, answer):
        self.answers[tuple(name.split("."))] = answer

    def call(self, service, method, *args, **kwargs):
        self.calls.append((service, method, args, kwargs))
        answer = self.answers[(service, method)]
        if isinstance(answer, Exception):
            raise answer
        return answer(*args, **kwargs) if callable(answer) else answer
