"""models.py: shapes, config validation, causality, tied readout, frozen embeddings, position-wise net."""
import pytest
import torch

from geomem_utils.graphs import path_star
from geomem_utils.models import GPT, ModelConfig, NeuralNet, build_model
from geomem_utils.tasks import PathStarTask
from geomem_utils.train import TrainConfig, train


def gpt(**kw):
    torch.manual_seed(0)
    c = dict(vocab_size=20, block_size=10, depth=2, heads=2, width=16)
    c.update(kw)
    return GPT(ModelConfig(**c)).eval()


def test_gpt_shapes():
    m = gpt()
    idx = torch.randint(0, 20, (3, 7))
    h = m(idx)
    assert h.shape == (3, 7, 16)
    assert m.readout(h).shape == (3, 7, 20)
    h2, maps = m(idx, return_attention=True)
    assert len(maps) == 2 and maps[0].shape == (3, 2, 7, 7)
    torch.testing.assert_close(h, h2, atol=1e-5, rtol=1e-5)  # explicit attention == fused attention


def test_attention_maps_are_causal_distributions():
    m = gpt()
    _, maps = m(torch.randint(0, 20, (2, 6)), return_attention=True)
    for a in maps:
        assert torch.all(a.triu(1) == 0)
        torch.testing.assert_close(a.sum(-1), torch.ones(a.shape[:-1]))


def test_gpt_rejects_too_long_input():
    with pytest.raises(ValueError, match="block_size"):
        gpt()(torch.zeros(1, 11, dtype=torch.long))


@pytest.mark.parametrize("return_attention", [False, True])
def test_gpt_is_causal(return_attention):
    m = gpt(depth=3)
    idx = torch.randint(0, 20, (4, 9))
    for t in range(9):
        changed = idx.clone()
        changed[:, t] = (changed[:, t] + 1 + torch.arange(4)) % 20
        h = m(idx, return_attention=return_attention)
        g = m(changed, return_attention=return_attention)
        if return_attention:
            h, g = h[0], g[0]
        torch.testing.assert_close(h[:, :t], g[:, :t], atol=1e-6, rtol=0)
        assert (h[:, t] - g[:, t]).abs().max() > 1e-4  # the changed position itself does change


def test_width_not_divisible_by_heads():
    with pytest.raises(ValueError, match="heads"):
        ModelConfig(vocab_size=10, width=30, heads=4)
    ModelConfig(vocab_size=10, width=32, heads=4)
    # the neural net has no heads, so any width goes
    ModelConfig(vocab_size=10, width=30, heads=4, arch="neural_net", depth=0)


@pytest.mark.parametrize("field,value,name", [
    ("vocab_size", 0, "vocab_size"), ("block_size", 0, "block_size"), ("depth", 0, "depth"),
    ("heads", 0, "heads"), ("width", 2.0, "width"), ("dropout", 1.0, "dropout"),
    ("emb_init_std", 0.0, "emb_init_std"), ("arch", "rnn", "arch"), ("heads", True, "heads")])
def test_model_config_validation_names_parameter(field, value, name):
    kw = dict(vocab_size=10, width=8, heads=2)
    kw[field] = value
    with pytest.raises(ValueError, match=name):
        ModelConfig(**kw)


def test_tied_readout_is_h_times_embedding_transpose():
    for m in (gpt(), build_model(ModelConfig(vocab_size=20, width=16, arch="neural_net", depth=0))):
        h = torch.randn(2, 5, 16)
        E = m.token_embedding.weight
        torch.testing.assert_close(m.readout(h), h @ E.T)
        # no separate output matrix: editing the embedding changes the readout
        with torch.no_grad():
            E[3] += 1.0
        torch.testing.assert_close(m.readout(h)[..., 3], h @ E[3])
        assert not any("head" in n or "lm" in n for n, _ in m.named_parameters())


def test_embedding_init_std():
    torch.manual_seed(0)
    m = GPT(ModelConfig(vocab_size=2000, width=64, heads=4, depth=1, emb_init_std=0.5))
    assert m.token_embedding.weight.std().item() == pytest.approx(0.5, rel=0.05)
    torch.testing.assert_close(m.embeddings(), m.token_embedding.weight.detach())


def test_neural_net_is_position_wise_and_linear():
    torch.manual_seed(0)
    m = NeuralNet(ModelConfig(vocab_size=12, width=8, arch="neural_net", depth=0)).eval()
    idx = torch.randint(0, 12, (3, 6))
    h = m(idx)
    assert h.shape == (3, 6, 8)
    for t in range(6):
        torch.testing.assert_close(h[:, t], m(idx[:, t:t + 1])[:, 0])
    # exactly E[idx] W^T + b: one Linear, no nonlinearity
    E = m.token_embedding.weight
    torch.testing.assert_close(h, E[idx] @ m.W.weight.T + m.W.bias)
    assert {n for n, _ in m.named_parameters()} == {"token_embedding.weight", "W.weight", "W.bias"}


def test_build_model_kinds():
    assert isinstance(build_model(ModelConfig(vocab_size=5, width=8, heads=2)), GPT)
    assert isinstance(build_model(ModelConfig(vocab_size=5, width=8, arch="neural_net", depth=0)), NeuralNet)


def _train_a_few_steps(model, steps=3):
    task = PathStarTask(path_star(3, 3, seed=0))
    train(model, task, TrainConfig(steps=steps, batch_size=0, lr=1e-2, warmup=0), progress=False,
          device="cpu", evaluate=lambda m: {})


@pytest.mark.parametrize("kind", ["gpt", "neural_net"])
@pytest.mark.parametrize("frozen", [True, False])
def test_freeze_embeddings(kind, frozen):
    torch.manual_seed(0)
    vocab = 7 + 4
    layers = 1 if kind == "gpt" else 0
    m = build_model(ModelConfig(vocab_size=vocab, block_size=8, depth=layers, heads=2, width=16,
                                arch=kind, freeze_embeddings=frozen))
    E0 = m.embeddings()
    others0 = {n: p.detach().clone() for n, p in m.named_parameters() if n != "token_embedding.weight"}
    assert m.token_embedding.weight.requires_grad is (not frozen)
    n_emb = m.token_embedding.weight.numel()
    assert m.num_params(trainable_only=True) == m.num_params() - (n_emb if frozen else 0)
    _train_a_few_steps(m)
    E1 = m.embeddings()
    if frozen:
        assert torch.equal(E0, E1)
    else:
        assert not torch.equal(E0, E1)
    changed = [n for n, p in m.named_parameters() if n in others0 and not torch.equal(p.detach(), others0[n])]
    weight = "W.weight" if kind == "neural_net" else "blocks.0.attn.qkv.weight"
    assert weight in changed


def test_mamba_shape_causality_tied_readout_and_freezing():
    import torch
    from geomem_utils.models import MambaLM, ModelConfig, build_model
    torch.manual_seed(0)
    m = build_model(ModelConfig(vocab_size=20, block_size=8, depth=2, heads=3, width=32, arch="mamba"))
    assert isinstance(m, MambaLM)
    x = torch.randint(0, 20, (5, 7))
    h = m(x)
    assert h.shape == (5, 7, 32) and m.readout(h).shape == (5, 7, 20)
    y = x.clone()
    y[:, 4] = (y[:, 4] + 1) % 20  # change a future token: outputs before it must not move
    h2 = m(y)
    assert torch.equal(h2[:, :4], h[:, :4]) and not torch.allclose(h2[:, 4:], h[:, 4:])
    with pytest.raises(ValueError, match="block_size"):
        m(torch.zeros(1, 9, dtype=torch.long))
    f = build_model(ModelConfig(vocab_size=20, width=16, depth=1, arch="mamba", freeze_embeddings=True))
    assert not f.token_embedding.weight.requires_grad and f.num_params(trainable_only=True) < f.num_params()
    with pytest.raises(ValueError, match="arch"):
        ModelConfig(vocab_size=5, arch="rnn")
