"""Real-browser journeys, checked for accessibility on every page they visit."""
