"""What users run: a scenario ensemble, paired comparison, replay, calibration, benchmark."""
