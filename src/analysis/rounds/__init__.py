"""Coding rounds: coder sheets, human and automated rounds, reliability, models refitted per round."""
