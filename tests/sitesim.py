"""The simulated www.mofa.go.jp served over real HTTP on 127.0.0.1 (being written)."""
