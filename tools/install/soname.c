/* liblivegym.so is the layers' archives linked whole (CMakeLists.txt); CMake
 * wants a source of the library's own, and this empty one is it. */
