import pytest

from netmon_agent.rates import counter_delta, rate, rates


def test_it_reads_a_growing_counter():
    assert counter_delta(1000, 1500) == 500


def test_an_unchanged_counter_has_grown_by_nothing():
    assert counter_delta(7, 7) == 0


def test_a_32_bit_counter_that_wraps_counts_across_the_wrap():
    assert counter_delta(2**32 - 100, 50) == 150


def test_a_64_bit_counter_that_wraps_counts_across_the_wrap():
    assert counter_delta(2**64 - 10, 5) == 15


def test_a_reset_counter_counts_from_zero():
    # An interface re-created after 3 GB: the counter restarted and read 4096.
    assert counter_delta(5 * 2**32, 4096) == 4096


def test_a_small_32_bit_counter_that_drops_far_is_a_reset_not_a_wrap():
    assert counter_delta(1_000_000_000, 10) == 10


def test_rate_is_per_second():
    assert rate(0, 3000, 2.0) == 1500.0


@pytest.mark.parametrize("seconds", [0, -1])
def test_rate_without_elapsed_time_is_none(seconds):
    assert rate(0, 100, seconds) is None


def test_first_sample_has_no_rates():
    assert rates(None, {"rx": 10, "tx": 20}, 1.0) == {"rx": None, "tx": None}


def test_rates_with_no_elapsed_time_are_none():
    assert rates({"rx": 0}, {"rx": 10}, None) == {"rx": None}


def test_rates_of_a_counter_seen_for_the_first_time_are_none():
    assert rates({"rx": 0}, {"rx": 100, "tx": 5}, 1.0) == {"rx": 100.0, "tx": None}


def test_rates_survive_a_reset_between_samples():
    assert rates({"rx": 10_000_000_000}, {"rx": 500}, 0.5) == {"rx": 1000.0}
