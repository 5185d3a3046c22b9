"""rnnbook.shakespeare: the contiguous split, the tf.data pipeline and the model."""

import numpy as np
import pytest

from rnnbook import shakespeare


def test_split_holds_out_the_last_tenth_contiguously():
    text = "".join(chr(97 + i % 26) for i in range(1000))
    train, val = shakespeare.split_text(text)
    assert (len(train), len(val)) == (900, 100)
    assert train + val == text


@pytest.mark.parametrize("fraction", [0, 1, -0.1, 1.5])
def test_split_rejects_a_fraction_outside_zero_one(fraction):
    with pytest.raises(ValueError, match="between 0 and 1"):
        shakespeare.split_text("abcdefghij", fraction)


def test_split_rejects_a_text_too_short_to_split():
    with pytest.raises(ValueError, match="too short"):
        shakespeare.split_text("ab", 0.1)


def test_input_target_is_the_chunk_shifted_by_one():
    x, y = shakespeare.split_input_target(np.arange(6))
    assert x.tolist() == [0, 1, 2, 3, 4] and y.tolist() == [1, 2, 3, 4, 5]


def test_unshuffled_dataset_is_consecutive_chunks():
    ids = np.arange(1000, dtype=np.int32)
    batches = list(shakespeare.make_dataset(ids, seq_length=9, batch_size=4, shuffle=False))
    assert len(batches) == shakespeare.n_batches(1000, 9, 4) == 25
    x, y = (t.numpy() for t in batches[0])
    assert x.shape == y.shape == (4, 9) and x.dtype == np.int32
    assert x[0].tolist() == list(range(9)) and y[0].tolist() == list(range(1, 10))
    assert x[1, 0] == 10  # the next chunk starts after seq_length + 1 ids: no overlap
    np.testing.assert_array_equal(y[:, :-1], x[:, 1:])


def test_shuffled_dataset_has_the_same_chunks_in_another_order():
    ids = np.arange(2000, dtype=np.int32)
    plain = np.concatenate([x.numpy() for x, _ in shakespeare.make_dataset(ids, 9, 4, shuffle=False)])
    mixed = np.concatenate([x.numpy() for x, _ in shakespeare.make_dataset(ids, 9, 4, seed=1)])
    assert not np.array_equal(plain, mixed)
    assert sorted(map(tuple, plain)) == sorted(map(tuple, mixed))


@pytest.mark.parametrize(
    "ids, match",
    [
        (np.zeros((10, 10), dtype=np.int32), "1-D array of integers"),
        (np.zeros(100, dtype=np.float32), "1-D array of integers"),
        (np.zeros(50, dtype=np.int32), "needs at least 1010 ids"),
    ],
)
def test_dataset_rejects_bad_ids(ids, match):
    with pytest.raises(ValueError, match=match):
        shakespeare.make_dataset(ids, seq_length=100, batch_size=10)


@pytest.mark.parametrize("seq_length, batch_size", [(0, 4), (10, 0), (-1, 4), (2.5, 4)])
def test_dataset_rejects_non_positive_sizes(seq_length, batch_size):
    with pytest.raises(ValueError, match="must be a positive integer"):
        shakespeare.make_dataset(np.arange(1000), seq_length, batch_size)


def test_model_maps_ids_to_logits_at_every_step():
    model = shakespeare.build_model(vocab_size=11, embedding_dim=4, units=6)
    logits = model(np.zeros((3, 7), dtype=np.int32))
    assert tuple(logits.shape) == (3, 7, 11)
    assert [layer.name for layer in model.layers[1:]] == list(shakespeare.LAYER_NAMES)
    lstm = model.get_layer("lstm")
    assert lstm.return_sequences and lstm.return_state and lstm.units == 6


@pytest.mark.parametrize("sizes", [(0, 4, 6), (11, -1, 6), (11, 4, 0)])
def test_model_rejects_non_positive_sizes(sizes):
    with pytest.raises(ValueError, match="must be a positive integer"):
        shakespeare.build_model(*sizes)


def test_dropout_acts_in_training_only_and_keeps_the_weights():
    plain = shakespeare.build_model(vocab_size=11, embedding_dim=4, units=6)
    dropped = shakespeare.build_model(vocab_size=11, embedding_dim=4, units=6, dropout=0.5)
    assert not [layer for layer in plain.layers if "dropout" in layer.name]
    names = [layer.name for layer in dropped.layers[1:]]
    assert names == ["embedding", "input_dropout", "lstm", "dropout", "logits"]
    assert dropped.get_layer("input_dropout").rate == dropped.get_layer("dropout").rate == 0.5
    dropped.set_weights(plain.get_weights())  # the same weights: dropout has none
    ids = np.random.default_rng(0).integers(0, 11, size=(2, 9)).astype(np.int32)
    np.testing.assert_array_equal(plain(ids).numpy(), dropped(ids).numpy())  # inference
    assert not np.allclose(plain(ids).numpy(), dropped(ids, training=True).numpy())
    # the generator reads through the dropout layer to the same three layers
    from rnnbook import generate

    assert [layer.name for layer in generate.char_model_layers(dropped)] == list(shakespeare.LAYER_NAMES)


@pytest.mark.parametrize("dropout", [-0.1, 1.0, 1.5, float("nan")])
def test_model_rejects_a_dropout_outside_zero_to_one(dropout):
    with pytest.raises(ValueError, match="dropout"):
        shakespeare.build_model(11, 4, 6, dropout=dropout)


def test_cosine_decay_goes_from_the_rate_to_zero_over_decay_steps():
    model = shakespeare.compile_model(shakespeare.build_model(11, 4, 6), learning_rate=0.004, decay_steps=10)
    values = []
    for step in (0, 5, 10, 20):  # the rate the optimizer applies at its step counter
        model.optimizer.iterations.assign(step)
        values.append(float(model.optimizer.learning_rate))
    np.testing.assert_allclose(values, [0.004, 0.002, 0.0, 0.0], atol=1e-9)
    constant = shakespeare.compile_model(shakespeare.build_model(11, 4, 6), 0.004)
    assert float(constant.optimizer.learning_rate) == pytest.approx(0.004)


@pytest.mark.parametrize("kwargs", [{"learning_rate": 0.0}, {"learning_rate": 0.01, "decay_steps": 0}])
def test_compile_rejects_bad_rates_and_steps(kwargs):
    name = "decay_steps" if "decay_steps" in kwargs else "learning_rate"
    with pytest.raises(ValueError, match=name):
        shakespeare.compile_model(shakespeare.build_model(11, 4, 6), **kwargs)


def test_untrained_loss_is_near_ln_vocab():
    model = shakespeare.compile_model(shakespeare.build_model(65, 8, 16), learning_rate=0.001)
    ids = np.random.default_rng(0).integers(0, 65, size=(8, 21)).astype(np.int32)
    loss = model.evaluate(ids[:, :-1], ids[:, 1:], verbose=0)
    assert abs(loss - np.log(65)) < 0.05


def epoch_inputs(dataset, order, epoch):
    order.on_epoch_begin(epoch)
    return np.concatenate([x.numpy() for x, _ in dataset])


def test_epoch_shuffle_order_depends_only_on_seed_and_epoch():
    ids = np.arange(2000, dtype=np.int32)
    order = shakespeare.EpochShuffle()
    dataset = shakespeare.make_dataset(ids, 9, 4, seed=3, epoch=order)
    first, second, first_again = (epoch_inputs(dataset, order, e) for e in (0, 1, 0))
    assert not np.array_equal(first, second)  # a new order each epoch
    np.testing.assert_array_equal(first, first_again)  # the same order for the same epoch
    plain = np.concatenate([x.numpy() for x, _ in shakespeare.make_dataset(ids, 9, 4, shuffle=False)])
    assert sorted(map(tuple, plain)) == sorted(map(tuple, second))  # every chunk once
    # a fresh process would build a fresh pipeline and callback: same order at epoch 1
    fresh_order = shakespeare.EpochShuffle()
    fresh = shakespeare.make_dataset(ids, 9, 4, seed=3, epoch=fresh_order)
    np.testing.assert_array_equal(epoch_inputs(fresh, fresh_order, 1), second)
    other_seed = shakespeare.make_dataset(ids, 9, 4, seed=4, epoch=order)
    assert not np.array_equal(epoch_inputs(other_seed, order, 1), second)
    assert dataset.cardinality().numpy() == shakespeare.n_batches(2000, 9, 4)


def test_epoch_shuffle_needs_a_callback_and_a_seed():
    with pytest.raises(ValueError, match="epoch must be an EpochShuffle callback or None, got 3"):
        shakespeare.make_dataset(np.arange(1000), 9, 4, epoch=3)
    with pytest.raises(ValueError, match="needs a seed"):
        shakespeare.make_dataset(np.arange(1000), 9, 4, seed=None, epoch=shakespeare.EpochShuffle())


def test_claim_run_dir_gives_another_folder_while_a_live_process_holds_one(tmp_path, monkeypatch):
    import subprocess
    import sys

    monkeypatch.delenv(shakespeare.RUN_DIR_ENV, raising=False)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from rnnbook import shakespeare; "
            f"print(shakespeare.claim_run_dir('ch08', {str(tmp_path)!r}), flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == str(tmp_path / "ch08")
        mine = shakespeare.claim_run_dir("ch08", tmp_path)
        assert mine == tmp_path / "ch08-2"
        assert shakespeare.claim_run_dir("ch08", tmp_path) == mine  # the same process: the same folder
    finally:
        holder.kill()
        holder.wait()
    # once the holder has ended (even killed), its folder is free again, for resuming
    assert shakespeare.claim_run_dir("ch08", tmp_path) == tmp_path / "ch08"


def test_claim_run_dir_follows_the_environment_and_refuses_bad_names(tmp_path, monkeypatch):
    monkeypatch.setenv(shakespeare.RUN_DIR_ENV, str(tmp_path / "mine"))
    assert shakespeare.claim_run_dir("ch08-env") == tmp_path / "mine" / "ch08-env"
    with pytest.raises(ValueError, match="name must be a folder name"):
        shakespeare.claim_run_dir("a/b")


def test_load_pretrained_gives_the_stored_model_and_vocabulary(shared_data_dir, monkeypatch):
    monkeypatch.setenv("RNNBOOK_DATA_DIR", str(shared_data_dir))
    model, vocab = shakespeare.load_pretrained()
    info = shakespeare.pretrained_info()
    assert len(vocab) == 65 and vocab.chars[:2] == ["\n", " "]
    assert model.get_layer("lstm").units == info["sizes"]["units"]
    assert model.get_layer("embedding").output_dim == info["sizes"]["embedding_dim"]
    # A trained model, not a random one: on 2,000 characters of the validation text its
    # cross-entropy is near the stored validation loss, far below ln 65 = 4.17 (uniform).
    from rnnbook.data import load_text

    _, validation = shakespeare.split_text(load_text("shakespeare"))
    ids = np.asarray(vocab.encode(validation[:2001]))
    logits = np.asarray(model(ids[None, :-1])[0], dtype=np.float64)
    log_probs = logits - logits.max(axis=1, keepdims=True)
    log_probs -= np.log(np.exp(log_probs).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(len(ids) - 1), ids[1:]].mean()
    assert abs(loss - info["val_loss"]) < 0.3, (loss, info["val_loss"])


def test_load_pretrained_checks_the_checksum_and_says_what_is_missing(tmp_path):
    import shutil

    for name in ("ch08_cpu.json", "ch08_cpu.weights.h5"):
        shutil.copy(shakespeare.PRETRAINED_DIR / name, tmp_path / name)
    damaged = bytearray((tmp_path / "ch08_cpu.weights.h5").read_bytes())
    damaged[-100] ^= 0xFF
    (tmp_path / "ch08_cpu.weights.h5").write_bytes(bytes(damaged))
    with pytest.raises(ValueError, match="damaged or not the stored model: its sha256"):
        shakespeare.load_pretrained(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"no pretrained chapter-8 model in .*nowhere"):
        shakespeare.load_pretrained(tmp_path / "nowhere")


def test_mixed_bfloat16_computes_in_bfloat16_keeps_float32_weights_and_logits():
    mixed = shakespeare.build_model(11, 4, 6, dropout=0.2, dtype_policy="mixed_bfloat16")
    plain = shakespeare.build_model(11, 4, 6)
    for name in ("embedding", "input_dropout", "lstm", "dropout"):
        assert mixed.get_layer(name).compute_dtype == "bfloat16", name
    assert mixed.get_layer("logits").compute_dtype == "float32"
    assert {w.dtype for w in mixed.weights} == {"float32"}
    ids = np.random.default_rng(0).integers(0, 11, size=(2, 9)).astype(np.int32)
    rng = np.random.default_rng(1)  # weights large enough for the rounding to show
    plain.set_weights([rng.normal(0, 0.5, w.shape).astype(np.float32) for w in plain.get_weights()])
    mixed.set_weights(plain.get_weights())  # the same float32 weights load under both
    out = mixed(ids)
    assert out.dtype == "float32"
    exact = plain(ids).numpy()
    # bfloat16 keeps 8 significant bits: close to float32, but not equal
    assert not np.array_equal(out.numpy(), exact)
    np.testing.assert_allclose(out.numpy(), exact, atol=0.05)


@pytest.mark.parametrize("policy", ["mixed_float16", "bfloat16", "float64", None])
def test_model_rejects_another_dtype_policy(policy):
    with pytest.raises(ValueError, match="dtype_policy must be one of .*'float32', 'mixed_bfloat16'"):
        shakespeare.build_model(11, 4, 6, dtype_policy=policy)
