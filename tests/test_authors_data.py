"""The authors' three-file format in and out (``authors_data``), on small files written here in that
format: a tiny star, a tree-star with whole subtrees held out, a cycle. Reading gives our Graph and the
files' split; every bad file gets one ValueError naming the file, the line and what is wrong; writing a
task and reading it back gives the same graph and split; an experiment names the files by stem and hash."""
import dataclasses
import json
import shutil

import numpy as np
import pytest

from geomem_utils import PathStarTask, path_star, tree_star
from geomem_utils.authors_data import (STEM, authors_files, export_authors_files, files_hash,
                                       from_authors_files, locate)
from geomem_utils.cache import cache_key
from geomem_utils.experiments.path_star import (PathStarExperiment, StarGraph, authors_graph,
                                                on_authors_files, path_star_experiment)
from geomem_utils.graphs import given_split

STAR = "star_deg_4_deg_tree_1_path_5_nodes_17_sd_00_fb_11"
# a tiny path-star: root 2, arms 2-4-0-13-12, 2-1-9-5-11, 2-15-6-7-8, 2-14-3-16-10 (the authors' tiny star)
ARMS = [[2, 4, 0, 13, 12], [2, 1, 9, 5, 11], [2, 15, 6, 7, 8], [2, 14, 3, 16, 10]]
TINY = dict(width=16, depth=1, heads=1, steps=4, batch_size=0, lr=1e-2, warmup=0, eval_every=2)


def _path_line(p):
    return f"{p[-1]}={','.join(map(str, p))}"


def _edges_both(paths):
    fwd = sorted({(a, b) for p in paths for a, b in zip(p, p[1:])})
    return [f"{u}={v}" for u, v in fwd] + [f"{v}={u}" for u, v in fwd]


def write(folder, stem, edge_lines, train_lines, test_lines):
    """The three files, named as the authors name them; returns their common prefix."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}_pretrain.txt").write_text("\n".join(edge_lines) + "\n")
    (folder / f"{stem}_train_{len(train_lines)}.txt").write_text("\n".join(train_lines) + "\n")
    (folder / f"{stem}_test_{len(test_lines)}.txt").write_text("\n".join(test_lines) + "\n")
    return folder / stem


def tiny_star(tmp_path, edges=None, train=None, test=None, stem=STAR):
    edges = _edges_both(ARMS) if edges is None else edges
    train = [_path_line(p) for p in ARMS[:3]] if train is None else train
    test = [_path_line(ARMS[3])] if test is None else test
    return write(tmp_path / "star_graphs_randomized", stem, edges, train, test)


# ---------------------------------------------------------------- reading
def test_a_tiny_star_reads_as_our_graph_with_its_split(tmp_path):
    data = from_authors_files(tiny_star(tmp_path))
    g = data.graph
    assert (g.n, g.root, g.num_edges, data.edge_direction, data.self_edges) == (17, 2, 16, "both", False)
    assert g.paths.tolist() == ARMS and sorted(g.leaves.tolist()) == [8, 10, 11, 12]
    task = data.task(n_pause=2)
    assert task.train_paths.tolist() == [0, 1, 2] and task.test_paths.tolist() == [3]
    prompts, answers = task.eval_prompts("test")
    assert prompts[0, 1] == 10 and answers[0].tolist() == ARMS[3]
    assert len(task.edge_examples()) == 32 and task.chance == 0.25


def test_a_folder_or_any_one_file_names_the_same_set(tmp_path):
    prefix = tiny_star(tmp_path)
    a = from_authors_files(prefix)
    for other in (prefix.parent, tmp_path, authors_files(prefix)["test"]):
        assert from_authors_files(other).sha256 == a.sha256
    assert from_authors_files(tmp_path, stem=STAR).sha256 == a.sha256


def test_a_tree_star_with_whole_subtrees_held_out(tmp_path):
    task = PathStarTask(tree_star(3, 4, seed=1), edge_direction="forward", split_by="first_hop", split_seed=2)
    out = export_authors_files(task, tmp_path)
    assert out["files"]["pretrain"].name == "star_deg_3_deg_tree_2_path_4_nodes_22_sd_00_fb_10_pretrain.txt"
    data = from_authors_files(out["files"]["pretrain"])
    t = data.task()
    hops = data.graph.first_hops
    assert not set(hops[t.train_paths]) & set(hops[t.test_paths])       # no held-out subtree starts a training path
    assert data.edge_direction == "forward" and len(t.edge_examples()) == 21
    assert "tree_star" in data.graph.name


def test_a_cycle_reads_as_a_graph_with_walks(tmp_path):
    n, walks = 6, [[i, (i + 1) % 6, (i + 2) % 6] for i in range(6)]
    edges = [f"{i}={(i + 1) % n}" for i in range(n)] + [f"{(i + 1) % n}={i}" for i in range(n)]
    data = from_authors_files(write(tmp_path, "cycle_N_6_sd_00_fb_11", edges,
                                    [_path_line(w) for w in walks[:4]], [_path_line(w) for w in walks[4:]]))
    assert not data.is_star and data.graph.n == 6 and data.graph.num_edges == 6
    assert data.paths.tolist() == walks and data.test.tolist() == [4, 5]
    with pytest.raises(ValueError, match="not a star graph"):
        data.task()


def test_a_start_and_leaf_prompt_as_the_sd_1_name_says(tmp_path):
    stem = STAR.replace("sd_00", "sd_10")
    train = [f"2,{p[-1]}=" + ",".join(map(str, p)) for p in ARMS[:3]]
    data = from_authors_files(tiny_star(tmp_path / "a", train=train, test=["2,10=2,14,3,16,10"], stem=stem))
    assert data.graph.paths.tolist() == ARMS
    with pytest.raises(ValueError, match=r"_test_1\.txt line 1: the name says sd_1x: every prompt is start,last"):
        from_authors_files(tiny_star(tmp_path / "b", train=train, stem=stem))


def test_self_edges_and_repeated_lines_are_read_not_refused(tmp_path):
    stem = STAR.replace("fb_11", "fb_11_selfedge_1")
    loops = [f"{u}={u}" for u in range(17)]
    data = from_authors_files(tiny_star(tmp_path, edges=_edges_both(ARMS) + loops + loops, stem=stem))
    assert data.self_edges and len(data.notes) == 17
    assert data.task().self_edges


# ---------------------------------------------------------------- bad files
BAD = {  # what is wrong -> (files written, message expected)
    "a path that skips an edge": (dict(train=[_path_line(ARMS[0]), "11=2,1,9,11"]),
                                  r"fb_11_train_2\.txt line 2: the step 9 -> 11 is not an edge .*skips an edge"),
    "a step that is not an edge": (dict(train=[_path_line(ARMS[0]), "11=2,1,5,9,11", _path_line(ARMS[2])]),
                                   r"_train_3\.txt line 2: the step 1 -> 5 is not an edge .*skips an edge"),
    "a missing root": (dict(train=[_path_line(ARMS[0]), "11=1,9,5,11", _path_line(ARMS[2])]),
                       r"_train_3\.txt line 2: the path starts at 1, not at the root 2 .*missing root"),
    "a leaf in both splits": (dict(test=[_path_line(ARMS[3]), _path_line(ARMS[1])]),
                              r"_test_2\.txt line 2: leaf 11 also ends the path of .*_train_3\.txt line 2 "
                              r"\(a leaf in both splits\)"),
    "a duplicated leaf": (dict(train=[_path_line(ARMS[0]), _path_line(ARMS[1]), _path_line(ARMS[1])]),
                          r"_train_3\.txt line 3: leaf 11 also ends the path of .*_train_3\.txt line 2$"),
    "an unreadable line": (dict(train=[_path_line(ARMS[0]), "11=2,1,9,five,11", _path_line(ARMS[2])]),
                           r"_train_3\.txt line 2: unreadable line '11=2,1,9,five,11'"),
    "an unreadable edge": (dict(edges=_edges_both(ARMS)[:3] + ["4 0"] + _edges_both(ARMS)[3:]),
                           r"_pretrain\.txt line 4: unreadable line '4 0', expected 'u=v'"),
    "an id outside 0..n-1": (dict(edges=_edges_both(ARMS) + ["17=2"]),
                             r"_pretrain\.txt line 33: node 17 is outside 0\.\.16 \(the name says nodes_17\)"),
    "an edge on no path": (dict(edges=_edges_both(ARMS) + ["4=1"]),
                           r"_pretrain\.txt line 33: this edge lies on no path"),
    "a prompt that is not the leaf": (dict(test=["3=" + ",".join(map(str, ARMS[3]))]),
                                      r"_test_1\.txt line 1: the prompt 3 is not the path's last node"),
    "one direction under fb_11": (dict(edges=_edges_both(ARMS)[:16]),
                                  r"_pretrain\.txt: the name says fb_11 \(both edges\), the file holds forward"),
    "a reverse edge missing": (dict(edges=_edges_both(ARMS)[:20] + _edges_both(ARMS)[21:]),
                               r"_pretrain\.txt: no line 14=2, the reverse of line 5, while other edges"),
    "two parents": (dict(train=[_path_line(ARMS[0]), _path_line(ARMS[1]), "8=2,15,9,7,8"],
                         edges=_edges_both(ARMS) + ["15=9", "9=15", "9=7", "7=9"]),
                    r"_train_3\.txt line 3: node 9 follows 15 here but 1 on .*_train_3\.txt line 2: the paths "
                    r"do not form a tree"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_file_gets_one_error_naming_file_line_and_what(tmp_path, case):
    files, message = BAD[case]
    with pytest.raises(ValueError, match=message):
        from_authors_files(tiny_star(tmp_path, **files))


def test_a_tree_star_under_a_path_stars_name_is_refused(tmp_path):
    out = export_authors_files(PathStarTask(tree_star(3, 4, seed=1)), tmp_path)
    for f in out["files"].values():
        f.rename(f.with_name(f.name.replace("deg_tree_2", "deg_tree_1")))
    with pytest.raises(ValueError, match=r"_pretrain\.txt: the name says deg_tree_1, the paths branch \[2\] ways"):
        from_authors_files(tmp_path)


def test_a_count_in_the_name_that_disagrees_is_refused(tmp_path):
    prefix = tiny_star(tmp_path)
    f = authors_files(prefix)["train"]
    f.rename(f.with_name(f.name.replace("train_3", "train_4")))
    with pytest.raises(ValueError, match=r"_train_4\.txt: the name says 4 paths, the file holds 3"):
        from_authors_files(prefix)


def test_bad_cycle_files(tmp_path):
    n, walks = 6, [[i, (i + 1) % 6, (i + 2) % 6] for i in range(6)]
    edges = [f"{i}={(i + 1) % n}" for i in range(n)] + [f"{(i + 1) % n}={i}" for i in range(n)]
    with pytest.raises(ValueError, match=r"_train_4\.txt line 3: the step 2 -> 4 is not an edge"):
        from_authors_files(write(tmp_path / "a", "cycle_N_6_sd_00_fb_11", edges,
                                 [_path_line(w) for w in walks[:2]] + ["5=2,4,5", _path_line(walks[3])],
                                 [_path_line(w) for w in walks[4:]]))
    with pytest.raises(ValueError, match=r"_pretrain\.txt line 1: this edge has no reverse line"):
        from_authors_files(write(tmp_path / "b", "cycle_N_6_sd_00_fb_11", edges[:6] + edges[7:],
                                 [_path_line(w) for w in walks[1:5]], [_path_line(walks[5])]))
    with pytest.raises(ValueError, match=r"prefix_or_dir: expected one file cycle_N_6_x_train_<count>\.txt"):
        from_authors_files(tmp_path / "a" / "cycle_N_6_x")


# ---------------------------------------------------------------- writing: the round trip
@pytest.mark.parametrize("direction", ["both", "forward", "backward"])
def test_export_then_read_gives_the_same_graph_and_split(tmp_path, direction):
    task = PathStarTask(path_star(20, 5, seed=3), edge_direction=direction, n_pause=3, split_seed=4)
    out = export_authors_files(task, tmp_path)
    back = from_authors_files(out["files"]["pretrain"]).task(n_pause=3)
    g, h = task.graph, back.graph
    assert (h.n, h.root, back.edge_direction) == (g.n, g.root, direction)
    assert set(map(tuple, h.edges.tolist())) == set(map(tuple, g.edges.tolist()))
    for split in ("train", "test"):
        ours = {tuple(p) for p in g.paths[task.split_indices(split)].tolist()}
        assert {tuple(p) for p in h.paths[back.split_indices(split)].tolist()} == ours
    examples = [sorted(map(tuple, t.edge_examples().tokens.tolist())) for t in (back, task)]
    assert examples[0] == examples[1]


def test_export_names_the_files_as_the_authors_code_derives_them(tmp_path):
    task = PathStarTask(path_star(7, 4, seed=0), split_seed=1)          # 7 leaves: 5 / 2, not int(0.75 * 7)
    out = export_authors_files(task, tmp_path)
    args = out["args"]
    a = {f: (v if not v.startswith("--") else True) for f, v in zip(args, args[1:] + ["--"]) if f.startswith("--")}
    total, ratio = 7, float(a["--train_split_ratio"])
    stem = (f"star_deg_{a['--star_degree']}_deg_tree_{a['--star_subtree_degree']}_path_{a['--path_length']}"
            f"_nodes_{a['--total_nodes']}_sd_00_fb_11")
    k = int(total * ratio)                                                # train_in_weights.py's expected count
    names = {f.name for f in out["files"].values()}
    assert names == {f"{stem}_pretrain.txt", f"{stem}_train_{k}.txt", f"{stem}_test_{total - k}.txt"}
    assert a["--dataset_root"] == str(tmp_path) and out["files"]["train"].parent.name == "star_graphs_randomized"
    lines = out["files"]["pretrain"].read_text().split()
    fwd = sorted(map(tuple, task.graph.edges.tolist()))
    assert lines == [f"{u}={v}" for u, v in fwd] + [f"{v}={u}" for u, v in fwd]   # sorted forward, then reversed
    assert STEM.match(stem) and a["--add_forward_edges"] and a["--add_backward_edges"]


def test_export_refuses_what_is_not_a_star_task(tmp_path):
    with pytest.raises(ValueError, match="task must be a PathStarTask"):
        export_authors_files(path_star(3, 3), tmp_path)
    with pytest.raises(ValueError, match="directory must be a path"):
        export_authors_files(PathStarTask(path_star(4, 3)), None)


def test_given_split_needs_a_graph_that_has_one():
    with pytest.raises(ValueError, match="split_by='given' needs a graph that comes with its split"):
        PathStarTask(path_star(4, 3), split_by="given")
    with pytest.raises(ValueError, match="split_by='given'"):
        given_split(path_star(4, 3))


# ---------------------------------------------------------------- experiments
def test_the_experiment_key_names_files_by_stem_and_hash_not_place(tmp_path):
    prefix = tiny_star(tmp_path / "here")
    e = on_authors_files(path_star_experiment(**TINY), prefix)
    key = json.dumps(cache_key(e))
    assert e.graph == authors_graph(prefix) and e.task.split_by == "given"
    assert from_authors_files(prefix).sha256 in key and str(tmp_path) not in key
    moved = shutil.copytree(tmp_path / "here", tmp_path / "there")
    assert cache_key(on_authors_files(path_star_experiment(**TINY), moved)) == cache_key(e)
    f = authors_files(moved / "star_graphs_randomized" / STAR)["test"]
    f.write_text(f.read_text().replace("10=2,14,3,16,10", "10=2,14,3,16,10\n"))   # same lines, other bytes
    changed = on_authors_files(path_star_experiment(**TINY), moved)
    assert changed.graph.sha256 != e.graph.sha256 and cache_key(changed) != cache_key(e)
    s = e.settings()
    assert (s["family"], s["d"], s["l"], s["split_by"]) == ("authors", 4, 5, "given")


def test_a_file_changed_under_a_config_is_never_trained_on(tmp_path):
    prefix = tiny_star(tmp_path)
    e = on_authors_files(path_star_experiment(**TINY), prefix)
    f = authors_files(prefix)["pretrain"]
    f.write_text(f.read_text() + "\n")
    with pytest.raises(ValueError, match="changed since this config was made"):
        e.make_task()
    with pytest.raises(ValueError, match=r"d, l: the files .* hold d=4, l=5, the config says d=3"):
        on_authors_files(path_star_experiment(**TINY), prefix).replace(d=3).make_task()


def test_an_authors_experiment_trains_on_their_graph_and_split(tmp_path):
    e = on_authors_files(path_star_experiment(**TINY), tiny_star(tmp_path))
    run = e.run(progress=False)
    assert run.task.test_paths.tolist() == [3] and run.task.graph.root == 2
    assert len(run.history.evals) == 2


def test_files_not_at_hand_get_one_clear_error(tmp_path, monkeypatch):
    from geomem_utils import authors_data
    prefix = tiny_star(tmp_path)
    sha = from_authors_files(prefix).sha256
    monkeypatch.setattr(authors_data, "_READ", {})
    monkeypatch.delenv(authors_data.ENV_DIRS, raising=False)
    with pytest.raises(ValueError, match="are not at hand: read them first"):
        locate(STAR, sha)
    monkeypatch.setenv(authors_data.ENV_DIRS, str(tmp_path))
    assert locate(STAR, sha) == prefix and files_hash(authors_files(prefix)) == sha


def test_existing_keys_are_unchanged():
    """The additions (a graph config class, split_by="given") leave every existing key as it was."""
    e = PathStarExperiment()
    assert isinstance(e.graph, StarGraph) and set(dataclasses.asdict(e.graph)) == {"family", "d", "l"}
    assert set(dataclasses.asdict(e.task)) == {"edge_direction", "self_edges", "path_mode", "n_pause",
                                               "train_fraction", "split_by"}


def test_the_command_runs_the_recipe_on_tiny_files_and_stores_the_curve(tmp_path, capsys):
    from geomem_utils.experiments import authors_runs
    prefix = tiny_star(tmp_path / "files")
    result = authors_runs.main(["--g5000", str(prefix), "--steps", "2", "--eval-every", "2", "--minutes", "1",
                                "--out", str(tmp_path / "out")])
    stored = json.loads(next((tmp_path / "out").glob("run-*.json")).read_text())
    assert stored["curve"]["steps"] == [2] and len(stored["curve"]["seconds"]) == 1
    assert stored["config"]["graph"]["sha256"] == from_authors_files(prefix).sha256
    assert stored["config"]["task"]["n_pause"] == 5 and stored["config"]["train"]["batch_size"] == 1024
    assert str(tmp_path) not in json.dumps(stored["config"])
    assert result["curve"]["test_first_hop"] == stored["curve"]["test_first_hop"]
    assert "held-out exact" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        authors_runs.main(["--g5000", str(tmp_path / "nothing_here")])
    assert "prefix_or_dir" in capsys.readouterr().err
    # a longer run stored beside the short check is the one the chapter reads; an empty folder reads None
    longer = authors_runs.main(["--g5000", str(prefix), "--steps", "4", "--eval-every", "2", "--minutes", "2",
                                "--out", str(tmp_path / "out")])
    assert authors_runs.authors_result(tmp_path / "out")["curve"] == longer["curve"] != result["curve"]
    assert authors_runs.authors_result(tmp_path / "empty") is None


def test_the_recipe_is_the_one_that_reached_the_goal_on_our_graph():
    from geomem_utils.experiments import authors_runs
    from geomem_utils.experiments.longer import g5000_runs
    ours = g5000_runs()[authors_runs.RECIPE]
    assert (ours.train.batch_size, ours.task.n_pause, ours.train.sampled_softmax, ours.graph.d) == (1024, 5, 0, 5000)
    assert np.isclose(ours.train.max_seconds, 1200)
    assert authors_runs.ours_g5000() is not None       # its stored run still loads under the unchanged key


def test_the_authors_run_differs_from_ours_only_in_graph_and_split(tmp_path):
    from geomem_utils.experiments import authors_runs
    from geomem_utils.experiments.longer import g5000_runs
    ours = g5000_runs()[authors_runs.RECIPE]
    theirs = authors_runs.authors_g5000_experiment(tiny_star(tmp_path))
    assert theirs.task.split_by == "given" and theirs.graph.files == STAR
    assert dataclasses.replace(theirs, graph=ours.graph, task=ours.task) == ours
