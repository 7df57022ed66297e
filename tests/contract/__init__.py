"""The part contract battery: what every registered part must satisfy (like check_estimator)."""
