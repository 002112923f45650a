"""Histories on Dask: a real dask.distributed LocalCluster with two worker processes on loopback must give the same
tables as the single-process run, partitioned by page."""

from __future__ import annotations

import bz2
import gzip

import pandas as pd
import pytest
from test_dump import anarchism_head, multi_page_dump

from wikidiff.cli import main
from wikidiff.errors import InputError
from wikidiff.histories import TABLES, History, Options, history
from wikidiff.histories.dask import page_partition, run_dask

distributed = pytest.importorskip("dask.distributed")

KEYS = {
    "revisions": ["source", "title", "revid"],
    "flags": ["title", "revid", "code", "message", "old_offset", "new_offset"],
    "reverts": ["title", "reverting", "reverted"],
    "refs": ["title", "added_revid", "ref"],
    "mutual_reverts": ["title", "editor_a", "editor_b"],
    "pages": ["source", "title"],
}


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def inputs(shared_data, tmp_path_factory) -> list[str]:
    d = tmp_path_factory.mktemp("dask-inputs")
    multi = d / "three-pages.xml.bz2"
    multi.write_bytes(bz2.compress(multi_page_dump(shared_data, anarchism_revisions=12)))
    return [str(multi), str(shared_data / "wikiwho-histories" / "nintendo_switch_revisions.json"),
            str(shared_data / "dewiktionary-history" / "familia.xml")]


def assert_same(a: History, b: History) -> None:
    for table, keys in KEYS.items():
        x = getattr(a, table).sort_values(keys, kind="stable").reset_index(drop=True)
        y = getattr(b, table).sort_values(keys, kind="stable").reset_index(drop=True)
        pd.testing.assert_frame_equal(x, y, obj=table)


def test_partitions_split_pages_of_one_file():
    titles = ["Pyrus", "Pear", "Anarchism", "familia", "Nintendo Switch"]
    parts = [page_partition(t, 2) for t in titles]
    assert set(parts) == {0, 1}  # these pages do land on both workers
    assert parts == [page_partition(t, 2) for t in titles]  # stable


def test_dask_run_equals_single_process_run(client, inputs, tmp_path):
    single = history(inputs)
    assert len(single.pages) == 5 and single.revisions["audited"].sum() > 100
    out = tmp_path / "dask"
    summaries = run_dask(inputs, out, client=client, partitions=2, options=Options())
    assert sorted(s["title"] for s in summaries) == sorted(single.pages["title"])
    parts = sorted(p.name for p in (out / "revisions").iterdir())
    assert parts == [f"f{i:04d}-p{k:04d}.parquet" for i in range(3) for k in range(2)]
    assert_same(single, History.load(out))
    # the three pages of the first file were split over both of its partitions
    split = [len(pd.read_parquet(out / "pages" / f"f0000-p{k:04d}.parquet")) for k in range(2)]
    assert sorted(split) != [0, 3] and sum(split) == 3


def test_command_line_on_a_scheduler_address(client, inputs, tmp_path, capsys):
    address = client.scheduler.address
    assert address.startswith("tcp://127.0.0.1:")
    single, dask = tmp_path / "single", tmp_path / "dask"
    assert main(["history", *inputs, "--out", str(single), "--quiet", "--no-audit"]) == 0
    assert main(["history", *inputs, "--out", str(dask), "--quiet", "--no-audit", "--dask", address]) == 0
    out = capsys.readouterr().out
    assert "Anarchism: 12 revisions" in out and "familia: 80 revisions" in out
    a, b = History.load(single), History.load(dask)
    assert a.revisions["audited"].sum() == 0
    assert_same(a, b)
    assert sorted(p.name for p in dask.iterdir() if not p.name.startswith(".")) == sorted(TABLES)


def test_a_truncated_file_fails_clearly_and_keeps_the_rest(client, shared_data, inputs, tmp_path):
    cut = tmp_path / "cut.xml.gz"
    data = gzip.compress(anarchism_head(shared_data, 8))
    cut.write_bytes(data[:-300])
    out = tmp_path / "out"
    with pytest.raises(InputError) as err:
        run_dask([inputs[2], str(cut)], out, client=client, partitions=1, options=Options(audit=False))
    msg = str(err.value)
    assert "cut.xml.gz: reading stopped in page 'Anarchism' after revision" in msg and str(out) in msg
    kept = History.load(out)
    assert sorted(kept.pages["title"]) == ["Anarchism", "familia"]
    assert kept.pages.set_index("title")["complete"].to_dict() == {"Anarchism": False, "familia": True}


def test_api_histories_are_fetched_serially_then_audited_on_the_workers(client, tmp_path):
    from mwapi_server import MediaWikiStandIn

    from wikidiff.histories import ApiOptions

    titles = ["Nintendo Switch", "Damphu"]
    with MediaWikiStandIn() as wiki:
        api = ApiOptions(api_url=wiki.api_url, cache=str(tmp_path / "revisions.sqlite"))
        summaries = run_dask([], tmp_path / "dask", titles=titles, api=api, client=client)
        assert wiki.max_in_flight == 1  # one request at a time, from this process: the workers read the cache
        sent = len(wiki.requests)
        single = history(title=titles, api=ApiOptions(**{**vars(api), "offline": True}))
        assert len(wiki.requests) == sent
    assert sorted(s["title"] for s in summaries) == sorted(titles)
    assert_same(single, History.load(tmp_path / "dask"))
