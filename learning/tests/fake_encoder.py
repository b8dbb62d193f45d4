"""A stand-in sentence encoder for retrieval tests (the real model is tested when installed)."""
import zlib

import numpy as np


class HashingEncoder:
    """Bag of words hashed into 64 dimensions: enough to check the index logic without a model."""

    threads = 1

    def encode(self, texts):
        vectors = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().replace("?", " ").replace(".", " ").split():
                vectors[row, zlib.crc32(word.encode()) % 64] += 1
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)
