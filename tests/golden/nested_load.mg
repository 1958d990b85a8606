# :load paths in a file are relative to that file.
:load sub/inner.mg
inner
:vars
