"""One module per rule. The registry imports every module in this package."""
