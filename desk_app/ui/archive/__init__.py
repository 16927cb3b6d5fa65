"""The Archive area: the catalogue register, item details, new items and locations, labels."""
