"""The learned extractor: models trained on annotated articles decide entities and facts.

- :mod:`kg.learn.spans`, :mod:`kg.learn.candidates`: what is decided (candidate spans, pairs,
  group objects, quotations) and :mod:`kg.learn.features`: what it is decided on;
- :mod:`kg.learn.linear`: the classifiers; :mod:`kg.learn.model`: a model directory (no pickle);
- :mod:`kg.learn.places`, :mod:`kg.learn.names`: lookup tables of the entity features;
  :mod:`kg.learn.annotated`, :mod:`kg.learn.known`: what the training annotations said of names
  (their classes, the facts between them), kept with the model as features;
- :mod:`kg.learn.align`: annotations projected onto candidates; :mod:`kg.learn.train`: training;
- :mod:`kg.learn.extractor`: a document's entities and facts, as a model decides them;
  :mod:`kg.learn.explain`: where that extraction loses an annotated fact (``kg evaluate --errors``).

``kg build`` uses the model shipped with kg (``kg/learn/default``) unless given another.
"""

from __future__ import annotations

from kg.learn.model import ExtractionModel, default_model_path, load_model

__all__ = ["ExtractionModel", "default_model_path", "load_model", "extract"]


def extract(document, chunks, model=None):
    """Entities and facts of ``document`` (parsed into ``chunks``) as ``model`` decides them.

    ``model`` is an :class:`ExtractionModel`, a model directory, or None for the shipped model.
    """
    from kg.learn.extractor import extract as _extract

    if not isinstance(model, ExtractionModel):
        model = load_model(model)
    return _extract(document, chunks, model)
