"""Experiments' pure parts (no Django): arm assignment, per-student metrics and the fixed-horizon analysis.

The admin report (tutor.experiment_report) and the simulation (bench.experiments) use the same functions here,
so what the simulation shows about power and false positives holds for the numbers teachers read.
"""
