"""Spreadsheets in and out: what export writes and `mapgen import` reads back."""
