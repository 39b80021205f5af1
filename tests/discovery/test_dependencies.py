"""Dependencies derived from links, path hops and routing adjacencies, and the root-cause
decision over them: pure functions, tested directly."""

import gc

from discovery.dependencies import SERVER, graph, order, parents, recompute
from discovery.root_cause import decide

# server - r1 - r2 ; r1 - sw1 - (h1, h2) ; r2 - sw2 - h3 ; r1 - sw3 ; h4 behind sw1 and sw3 both.
LINKS = [("r1", "sw1"), ("r2", "sw2"), ("sw1", "h1"), ("sw1", "h2"), ("sw2", "h3"), ("r1", "sw3"), ("sw1", "h4"),
         ("sw3", "h4")]  # fmt: skip
HOPS = [["r1"]]  # a path check from the server reaches r1 first
ADJACENCIES = [("r1", "r2")]  # BGP


def lab_parents(pinned=None):
    return parents(graph(LINKS, HOPS, ADJACENCIES), pinned)


def test_it_derives_parents_from_the_server_outward():
    found = lab_parents()
    assert found["r1"] == [SERVER]
    assert found["r2"] == ["r1"]
    assert found["sw1"] == ["r1"]
    assert found["h3"] == ["sw2"]


def test_a_node_behind_two_parents_has_both():
    assert lab_parents()["h4"] == ["sw1", "sw3"]


def test_a_pin_overrides_the_derived_parent():
    assert lab_parents({"h1": "r2"})["h1"] == ["r2"]


def test_it_walks_each_node_after_its_parents():
    found = lab_parents()
    walk = order(found)
    assert walk[0] == SERVER
    for node in walk:
        assert all(walk.index(parent) < walk.index(node) for parent in found[node])


def test_the_switch_is_the_cause_and_the_hosts_behind_it_are_held():
    found = lab_parents()
    decision = decide(found, order(found), {"sw1", "h1", "h2"})
    assert decision.causes == {"sw1": 2}
    assert decision.held == {"h1": "sw1", "h2": "sw1"}


def test_a_node_with_one_parent_left_is_its_own_cause():
    found = lab_parents()
    decision = decide(found, order(found), {"sw1", "h4"})
    assert set(decision.causes) == {"sw1", "h4"}
    assert decision.held == {}


def test_behind_behind_is_held_via_the_first_cause():
    found = lab_parents()
    decision = decide(found, order(found), {"r2", "sw2", "h3"})
    assert decision.causes == {"r2": 2}
    assert decision.held == {"sw2": "r2", "h3": "r2"}


def test_an_up_result_beats_a_dependency():
    found = lab_parents()
    decision = decide(found, order(found), {"sw1", "h1"} - {"sw1"})
    assert decision.causes == {"h1": 0}


def test_a_node_without_a_path_to_the_server_is_its_own_cause():
    found = parents(graph([("a", "b")]))
    decision = decide(found, order(found), {"a", "b"})
    assert set(decision.causes) == {"a", "b"}


def test_a_pinned_circle_does_not_loop():
    found = lab_parents({"r1": "sw1"})
    decision = decide(found, order(found), {"r1", "sw1"})
    assert set(decision.causes) == {"r1", "sw1"}


def test_recompute_gives_parents_and_order_and_leaves_the_collector_as_it_was():
    found, walk = recompute(LINKS, HOPS, ADJACENCIES, {"h1": "r2"})
    assert found == lab_parents({"h1": "r2"})
    assert walk == order(found)
    assert gc.isenabled()
