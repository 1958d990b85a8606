# Loaded by nested_load.mg as sub/inner.mg; loads its neighbour by a path relative to itself.
:load leaf.mg
inner = leaf * 2
