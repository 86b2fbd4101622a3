#!/bin/sh
# Builds the librdkafka mock-cluster launcher used by the Kafka tests into ./build/kafka-mock.
# Needs a C compiler, pkg-config and librdkafka's headers (Debian: apt-get install librdkafka-dev pkg-config).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v cc >/dev/null 2>&1; then
  echo "kafka-mock: no C compiler (cc) found; install one (Debian: apt-get install build-essential)" >&2
  exit 3
fi
if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists rdkafka; then
  echo "kafka-mock: librdkafka development files not found; install them (Debian: apt-get install librdkafka-dev pkg-config)" >&2
  exit 3
fi
mkdir -p "$here/build"
# Compile to a temporary name and rename, so a concurrent test never runs a half-written binary.
tmp="$here/build/kafka-mock.tmp.$$"
# shellcheck disable=SC2046
cc -O2 -Wall "$here/launcher.c" $(pkg-config --cflags --libs rdkafka) -o "$tmp"
mv -f "$tmp" "$here/build/kafka-mock"
echo "kafka-mock: built $here/build/kafka-mock"
