# mgrad_set_warnings(target): the project's warning flags, and the sanitizer flags when asked.
function(mgrad_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion)
  if(MGRAD_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(MGRAD_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# ThreadSanitizer (preset tsan): the live view's server, layout thread and session thread.
if(MGRAD_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
