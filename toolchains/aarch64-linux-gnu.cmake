# SPDX-License-Identifier: Apache-2.0
# Cross build for the aarch64 scanner: Debian's cross compiler + an arm64 sysroot made by
# scripts/bootstrap.sh --cross aarch64. Names the compiler and where to look; flags live in the project.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

if(NOT GW_SYSROOT)
  if(DEFINED ENV{GW_SYSROOT})
    set(GW_SYSROOT $ENV{GW_SYSROOT})
  elseif(DEFINED ENV{GW_SYSROOT_CACHE})
    set(GW_SYSROOT $ENV{GW_SYSROOT_CACHE}/sysroot-arm64)
  else()
    set(GW_SYSROOT /var/cache/grenswacht/sysroot-arm64)
  endif()
endif()
set(GW_SYSROOT ${GW_SYSROOT} CACHE PATH "arm64 sysroot (scripts/bootstrap.sh --cross aarch64)")
if(NOT EXISTS ${GW_SYSROOT}/usr/include)
  message(FATAL_ERROR "No arm64 sysroot at ${GW_SYSROOT}: run scripts/bootstrap.sh --cross aarch64")
endif()

set(CMAKE_SYSROOT ${GW_SYSROOT})
set(CMAKE_FIND_ROOT_PATH ${GW_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# pkg-config must read the sysroot's .pc files and prefix their paths with it.
set(ENV{PKG_CONFIG_DIR} "")
set(ENV{PKG_CONFIG_LIBDIR} "${GW_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${GW_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} ${GW_SYSROOT})
# The sysroot's shared libraries depend on each other (OpenCV -> BLAS, GDAL, ...): let the linker find them.
set(CMAKE_EXE_LINKER_FLAGS_INIT
    "-Wl,-rpath-link,${GW_SYSROOT}/usr/lib/aarch64-linux-gnu -Wl,-rpath-link,${GW_SYSROOT}/lib/aarch64-linux-gnu -Wl,-rpath-link,${GW_SYSROOT}/usr/lib/aarch64-linux-gnu/blas -Wl,-rpath-link,${GW_SYSROOT}/usr/lib/aarch64-linux-gnu/lapack")
set(CMAKE_SHARED_LINKER_FLAGS_INIT ${CMAKE_EXE_LINKER_FLAGS_INIT})

# Lets ctest (and Catch2 test discovery) run the ARM binaries on the x86 build machine.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-L;${GW_SYSROOT})
