"""A labelled evaluation set for topic matching: three differently shaped catalogs and what people and
agents type, each query labelled by what a careful person reading the catalog would understand.

Labels (written before the matcher was tuned, and not changed to suit it):

- ``R(query, topic)``: resolvable, this topic and no other;
- ``A(query, {topics})``: ambiguous, the plausible set (a refusal is right; picking one is a wrong guess);
- ``N(query)``: none of the topics (a refusal is right; any pick is a wrong guess);
- ``X(query, topic)``: names an archived topic (right: 404 saying that topic is archived; any live topic
  is a wrong guess).

One convention, stated before labelling: a word found in exactly one topic's name, and in no category
nor other topic (archived ones included), designates that topic, as the documented partial-name rule
says ("gateway" is API Gateway). A word shared with a category or another topic does not ("meetings",
"contoso", "project" beside an archived "Project Delta").

``tests/topics/test_matching_evaluation.py`` asserts no wrong guess and an accuracy floor;
``benchmarks/topic_matching_accuracy.py`` prints accuracy per kind and per catalog.
"""

from tests.topics.evaluation.consultancy import CONSULTANCY
from tests.topics.evaluation.labels import Case, Catalog
from tests.topics.evaluation.product import PRODUCT
from tests.topics.evaluation.research import RESEARCH

CATALOGS: list[Catalog] = [CONSULTANCY, PRODUCT, RESEARCH]
__all__ = ["CATALOGS", "Case", "Catalog"]
