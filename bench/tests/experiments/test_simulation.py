import numpy as np
import pytest
from django.core.management import CommandError, call_command

from bench.experiments.simulation import simulate, simulated_values


def test_simulated_values_carry_the_true_effect():
    rng = np.random.default_rng(1)
    assert abs(simulated_values(rng, 20000, 0.0).mean()) < 0.01
    assert simulated_values(rng, 20000, 0.05).mean() == pytest.approx(0.045, abs=0.01)  # clipped at 1


def test_a_large_effect_is_always_found_and_rates_are_shares():
    report = simulate(effect=0.3, runs=10, planned=100, look_every=50)
    assert report["power"] == 1.0 and 0.0 <= report["false_positive_rate"] <= 1.0
    assert report["planned_size_for_80_percent_power"] < 100


def test_the_command_refuses_fewer_than_200_runs():
    with pytest.raises(CommandError, match="at least 200"):
        call_command("experiment_sim", "--runs", "10")
