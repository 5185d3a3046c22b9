"""Helpers for the hands-on RNN book."""
