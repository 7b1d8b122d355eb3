"""Independent PyTorch reference of newsrec's NRMS model (spec v1).

Reference-only: used to produce golden fixtures and to benchmark/compare against the Swift
implementation. It is written the plain PyTorch way (nn.Module, nn.Linear, autograd) on purpose.

Shapes: B = batch, N = news rows, L = title tokens, T = history length, E = word dim,
H = hidden, h = heads, d = H / h, A = pooling dim.

Masks are booleans, True for real positions. A masked position gets weight exactly 0 in every
softmax; a row without any real position gets all-zero weights (so it pools to a zero vector).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from dataclasses import dataclass
from typing import Iterable

import torch
import torch.nn as nn
import torch.nn.functional as F

TOKENIZER_NAME = "mind-regex-lower"
PAD_TOKEN = "[PAD]"
UNK_TOKEN = "[UNK]"


@dataclass
class Config:
    encoder: str = "fastformer"  # "fastformer" | "mhsa"
    word_dim: int = 300
    hidden: int = 256
    heads: int = 16
    pooling_dim: int = 200
    title_length: int = 30
    history_length: int = 50
    vocab_size: int = 50000
    tokenizer: str = TOKENIZER_NAME
    dropout: float = 0.2

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @staticmethod
    def from_json(obj: dict) -> "Config":
        names = {f.name for f in dataclasses.fields(Config)}
        missing = names - obj.keys()
        if missing:
            raise ValueError(f"config.json: missing keys {sorted(missing)}")
        cfg = Config(**{k: obj[k] for k in names})
        if cfg.encoder not in ("fastformer", "mhsa"):
            raise ValueError(f"config.json: encoder must be 'fastformer' or 'mhsa', found {cfg.encoder!r}")
        if cfg.hidden % cfg.heads != 0:
            raise ValueError(f"config.json: hidden {cfg.hidden} not divisible by heads {cfg.heads}")
        return cfg


def masked_softmax(scores: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    """Softmax of `scores` along `dim` where `mask` (bool, broadcastable) is True.

    Masked entries get weight exactly 0; a slice with no True entry gets all zeros (not NaN,
    not uniform).
    """
    filled = scores.masked_fill(~mask, -1e9)
    return torch.softmax(filled, dim=dim) * mask.to(scores.dtype)


class FastformerAttention(nn.Module):
    """Fastformer self-attention as in the authors' code, without LayerNorm/FFN/positions.

    [B × N × D_in] → [B × N × H].
    """

    def __init__(self, d_in: int, hidden: int, heads: int, dropout: float):
        super().__init__()
        assert hidden % heads == 0
        self.hidden, self.heads, self.head_dim = hidden, heads, hidden // heads
        self.query = nn.Linear(d_in, hidden)
        self.key = nn.Linear(d_in, hidden)
        self.query_att = nn.Linear(hidden, heads)
        self.key_att = nn.Linear(hidden, heads)
        self.transform = nn.Linear(hidden, hidden)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, n, _ = x.shape
        h, d = self.heads, self.head_dim
        scale = math.sqrt(d)
        m = mask.unsqueeze(-1)  # [B × N × 1]
        q = self.query(x)  # [B × N × H]
        k = self.key(x)  # [B × N × H]
        alpha = masked_softmax(self.query_att(q) / scale, m, dim=1)  # [B × N × h]
        qh = q.view(b, n, h, d)
        q_global = (alpha.unsqueeze(-1) * qh).sum(dim=1)  # [B × h × d]
        p = k.view(b, n, h, d) * q_global.unsqueeze(1)  # [B × N × h × d]
        beta = masked_softmax(self.key_att(p.reshape(b, n, self.hidden)) / scale, m, dim=1)
        k_global = (beta.unsqueeze(-1) * p).sum(dim=1)  # [B × h × d]
        u = (k_global.unsqueeze(1) * qh).reshape(b, n, self.hidden)  # [B × N × H]
        r = self.transform(u) + q
        return self.dropout(r)


class MultiHeadSelfAttention(nn.Module):
    """Standard multi-head self-attention (NRMS baseline). [B × N × D_in] → [B × N × H]."""

    def __init__(self, d_in: int, hidden: int, heads: int, dropout: float):
        super().__init__()
        assert hidden % heads == 0
        self.hidden, self.heads, self.head_dim = hidden, heads, hidden // heads
        self.query = nn.Linear(d_in, hidden)
        self.key = nn.Linear(d_in, hidden)
        self.value = nn.Linear(d_in, hidden)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, n, _ = x.shape
        h, d = self.heads, self.head_dim
        q = self.query(x).view(b, n, h, d).transpose(1, 2)  # [B × h × N × d]
        k = self.key(x).view(b, n, h, d).transpose(1, 2)
        v = self.value(x).view(b, n, h, d).transpose(1, 2)
        scores = q @ k.transpose(-1, -2) / math.sqrt(d)  # [B × h × N(query) × N(key)]
        weights = masked_softmax(scores, mask[:, None, None, :], dim=-1)
        out = (weights @ v).transpose(1, 2).reshape(b, n, self.hidden)
        return self.dropout(out)


class AdditivePooling(nn.Module):
    """Additive attention pooling. [B × N × H] → [B × H]; all-masked rows give zero vectors."""

    def __init__(self, hidden: int, pooling_dim: int):
        super().__init__()
        self.proj = nn.Linear(hidden, pooling_dim)
        self.score = nn.Linear(pooling_dim, 1, bias=False)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        s = self.score(torch.tanh(self.proj(x))).squeeze(-1)  # [B × N]
        a = masked_softmax(s, mask, dim=1)
        return (a.unsqueeze(-1) * x).sum(dim=1)


def make_attention(cfg: Config, d_in: int) -> nn.Module:
    cls = FastformerAttention if cfg.encoder == "fastformer" else MultiHeadSelfAttention
    return cls(d_in, cfg.hidden, cfg.heads, cfg.dropout)


class Encoder(nn.Module):
    """attention + pooling: [B × N × D_in] (mask [B × N]) → [B × H]."""

    def __init__(self, cfg: Config, d_in: int):
        super().__init__()
        self.attention = make_attention(cfg, d_in)
        self.pooling = AdditivePooling(cfg.hidden, cfg.pooling_dim)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.pooling(self.attention(x, mask), mask)


class NRMS(nn.Module):
    """NRMS with Fastformer or MHSA encoders.

    state_dict names: `word_embedding.weight`, `news_encoder.attention.*`, `news_encoder.pooling.*`,
    `user_encoder.attention.*`, `user_encoder.pooling.*`.
    """

    def __init__(self, cfg: Config):
        super().__init__()
        self.cfg = cfg
        self.word_embedding = nn.Embedding(cfg.vocab_size, cfg.word_dim)
        self.embedding_dropout = nn.Dropout(cfg.dropout)
        self.news_encoder = Encoder(cfg, cfg.word_dim)
        self.user_encoder = Encoder(cfg, cfg.hidden)
        self.reset_parameters()

    @torch.no_grad()
    def reset_parameters(self, linear_std: float = 0.02, embedding_std: float = 0.1, bias_std: float = 0.0):
        """Spec init: Linear weights N(0, linear_std²), biases N(0, bias_std²) (0 by default),
        embedding N(0, embedding_std²) with row 0 zero."""
        for mod in self.modules():
            if isinstance(mod, nn.Linear):
                nn.init.normal_(mod.weight, 0.0, linear_std)
                if mod.bias is not None:
                    if bias_std > 0:
                        nn.init.normal_(mod.bias, 0.0, bias_std)
                    else:
                        nn.init.zeros_(mod.bias)
        nn.init.normal_(self.word_embedding.weight, 0.0, embedding_std)
        self.word_embedding.weight[0].zero_()

    def encode_news(self, titles: torch.Tensor) -> torch.Tensor:
        """titles [N × L] int64 token ids (0 = pad) → news vectors [N × H]."""
        mask = titles != 0
        x = self.embedding_dropout(self.word_embedding(titles))
        return self.news_encoder(x, mask)

    def encode_users(self, history_vectors: torch.Tensor, history_mask: torch.Tensor) -> torch.Tensor:
        """history_vectors [B × T × H], history_mask [B × T] bool → user vectors [B × H]."""
        return self.user_encoder(history_vectors, history_mask)

    def forward_indexed(self, titles: torch.Tensor, histories: torch.Tensor, candidates: torch.Tensor):
        """The contract batch: titles [N × L]; histories [B × T] indices into titles (-1 = pad);
        candidates [B × C] indices into titles. Returns (news [N × H], users [B × H], scores [B × C])."""
        news = self.encode_news(titles)
        hist_mask = histories >= 0
        hist = news[histories.clamp(min=0)] * hist_mask.unsqueeze(-1).to(news.dtype)
        users = self.encode_users(hist, hist_mask)
        scores = torch.einsum("bch,bh->bc", news[candidates], users)
        return news, users, scores

    def forward(self, titles: torch.Tensor, histories: torch.Tensor, candidates: torch.Tensor):
        """Same as `forward_indexed`."""
        return self.forward_indexed(titles, histories, candidates)

    def forward_tokens(self, history_titles: torch.Tensor, candidate_titles: torch.Tensor,
                       history_mask: torch.Tensor) -> torch.Tensor:
        """Undeduplicated batch: history_titles [B × T × L], candidate_titles [B × C × L],
        history_mask [B × T] bool. Returns scores [B × C]."""
        b, t, l = history_titles.shape
        c = candidate_titles.shape[1]
        all_titles = torch.cat([history_titles.reshape(b * t, l), candidate_titles.reshape(b * c, l)])
        news = self.encode_news(all_titles)
        hist = news[: b * t].view(b, t, -1)
        cand = news[b * t:].view(b, c, -1)
        users = self.encode_users(hist, history_mask)
        return torch.einsum("bch,bh->bc", cand, users)


def loss_fn(scores: torch.Tensor) -> torch.Tensor:
    """Mean softmax cross-entropy over each row of scores [B × C], target column 0."""
    target = torch.zeros(scores.shape[0], dtype=torch.long, device=scores.device)
    return F.cross_entropy(scores, target)


# ---------------------------------------------------------------------------------------------
# Checkpoints: directory with model.safetensors (F32, PyTorch layout), config.json, vocab.txt


def save_checkpoint(model: NRMS, vocab: list[str], directory: str) -> None:
    from safetensors.torch import save_file

    if len(vocab) != model.cfg.vocab_size:
        raise ValueError(f"vocab has {len(vocab)} tokens, config says {model.cfg.vocab_size}")
    if vocab[0] != PAD_TOKEN or vocab[1] != UNK_TOKEN:
        raise ValueError("vocab[0] must be [PAD] and vocab[1] [UNK]")
    os.makedirs(directory, exist_ok=True)
    tensors = {k: v.detach().to(torch.float32).contiguous().cpu() for k, v in model.state_dict().items()}
    tmp = lambda name: os.path.join(directory, f".{name}.tmp")  # noqa: E731
    save_file(tensors, tmp("model.safetensors"), metadata={"format": "pt"})
    with open(tmp("config.json"), "w") as f:
        json.dump(model.cfg.to_json(), f, indent=2)
        f.write("\n")
    with open(tmp("vocab.txt"), "w", encoding="utf-8") as f:
        for tok in vocab:
            if "\n" in tok:
                raise ValueError(f"token {tok!r} contains a newline")
            f.write(tok + "\n")
    for name in ("model.safetensors", "config.json", "vocab.txt"):
        os.replace(tmp(name), os.path.join(directory, name))


def load_checkpoint(directory: str) -> tuple[NRMS, list[str]]:
    from safetensors.torch import load_file

    with open(os.path.join(directory, "config.json")) as f:
        cfg = Config.from_json(json.load(f))
    with open(os.path.join(directory, "vocab.txt"), encoding="utf-8") as f:
        vocab = f.read().split("\n")
    if vocab and vocab[-1] == "":
        vocab.pop()
    if len(vocab) != cfg.vocab_size:
        raise ValueError(f"{directory}/vocab.txt: {len(vocab)} tokens, config.json says {cfg.vocab_size}")
    model = NRMS(cfg)
    tensors = load_file(os.path.join(directory, "model.safetensors"))
    model.load_state_dict(tensors, strict=True)
    return model, vocab


def parameter_names(model: NRMS) -> Iterable[str]:
    return [n for n, _ in model.named_parameters()]


# ---------------------------------------------------------------------------------------------
# Tokenizer and vocabulary ("mind-regex-lower")

_TOKEN_RE = None


def tokenize(text: str) -> list[str]:
    """Lowercase, then re.findall(r"[\\w]+|[.,!?;|]") (Microsoft Recommenders' MIND tokenizer)."""
    global _TOKEN_RE
    if _TOKEN_RE is None:
        import re

        _TOKEN_RE = re.compile(r"[\w]+|[.,!?;|]")
    return _TOKEN_RE.findall(text.lower())


def build_vocab(titles: Iterable[str]) -> list[str]:
    """[PAD], [UNK], then the words of `titles` in order of first appearance."""
    vocab = [PAD_TOKEN, UNK_TOKEN]
    seen = set(vocab)
    for title in titles:
        for tok in tokenize(title):
            if tok not in seen:
                seen.add(tok)
                vocab.append(tok)
    return vocab


def encode_title(title: str, index: dict[str, int], length: int) -> list[int]:
    """Token ids cut to `length` and right-padded with 0 to exactly `length`."""
    ids = [index.get(tok, 1) for tok in tokenize(title)][:length]
    return ids + [0] * (length - len(ids))
