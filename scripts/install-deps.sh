#!/usr/bin/env bash
# Installs the build tools pixcodec needs when they are missing:
# cmake and nasm (libjpeg-turbo is built from source), a C/C++ compiler, pkg-config, valgrind.
set -euo pipefail
need=()
for tool in cmake nasm cc c++ pkg-config valgrind; do
  command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "pixcodec: installing missing tools: ${need[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
if command -v apt-get >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq cmake nasm build-essential pkg-config valgrind >/dev/null
elif command -v dnf >/dev/null 2>&1; then
  $SUDO dnf install -y cmake nasm gcc gcc-c++ make pkgconf-pkg-config valgrind
elif command -v brew >/dev/null 2>&1; then
  brew install cmake nasm pkg-config
else
  echo "pixcodec: cannot install ${need[*]}: no apt-get, dnf or brew found." >&2
  echo "Install cmake and nasm (needed to build libjpeg-turbo) and a C compiler, then rerun." >&2
  exit 1
fi
