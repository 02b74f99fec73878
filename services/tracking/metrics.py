"""What tracking counts: the applicants' objections and ratings, by province (and unit and score)."""
from prometheus_client import Counter

OBJECTIONS_FILED = Counter("acikkapi_objections_filed_total", "Objections filed by applicants to an answer",
                           ["province"])
RATINGS_GIVEN = Counter(
    "acikkapi_answer_ratings_total", "Applicants' ratings of an answer (score 1-5), by province and answering unit",
    ["province", "unit", "score"])
