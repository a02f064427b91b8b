"""Gap reports generated from the graph (per country and regional)."""
