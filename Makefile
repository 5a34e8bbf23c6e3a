# pmtimeline. `make` builds ./pmtimeline; `make demo` and `make test` also install what a fresh
# Debian 12 machine is missing (scripts/deps.sh). See README.md.
#
# Two build variants share these rules: V=rel (default, ./pmtimeline) and V=asan
# (AddressSanitizer + UBSan, build/asan/pmtimeline). `make test` builds and runs both.

CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS := zlib yaml-0.1 jansson libpcre2-8
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lz -lyaml -ljansson -lpcre2-8)

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Wvla -Werror
V ?= rel
ifeq ($(V),asan)
OUT := build/asan
VFLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
BIN := $(OUT)/pmtimeline
else
OUT := build/rel
VFLAGS := -O2 -g
BIN := pmtimeline
endif
CFLAGS ?=
LDFLAGS ?=
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) -Iinclude $(PKG_CFLAGS) $(VFLAGS) $(CFLAGS)
LIBS := $(PKG_LIBS) -lcsv -lpthread

LIB_SRC := $(filter-out src/main.c,$(wildcard src/*.c)) $(wildcard parsers/*.c)
LIB_OBJ := $(patsubst %.c,$(OUT)/%.o,$(LIB_SRC))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRC))
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(OUT)/tests/%,$(FUZZ_SRC))

.PHONY: all build deps demo test check unit e2e bench samples clean format fuzz
all: $(BIN)

build: $(BIN) $(UNIT_BIN) $(FUZZ_BIN)

$(OUT)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(OUT)/libpmt.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(OUT)/src/main.o $(OUT)/libpmt.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(OUT)/tests/%: tests/unit/%.c tests/unit/testutil.h $(OUT)/libpmt.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(OUT)/libpmt.a $(LIBS) -lcmocka

# Fuzz targets: libFuzzer entry points with a replay main, built always so they cannot rot.
$(OUT)/tests/fuzz_%: tests/fuzz/fuzz_%.c $(OUT)/libpmt.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(OUT)/libpmt.a $(LIBS)

-include $(LIB_OBJ:.o=.d) $(OUT)/src/main.d

deps:
	@sh scripts/deps.sh

# Sub-makes run after deps, so pkg-config is asked only once it is installed.
demo: deps
	@$(MAKE) --no-print-directory all
	./pmtimeline --tz Africa/Nairobi samples/incident/

test: deps
	@$(MAKE) --no-print-directory check

check:
	@$(MAKE) --no-print-directory V=rel build
	@$(MAKE) --no-print-directory V=asan build
	@sh tests/run.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@sh bench/run.sh

samples:
	@PMT_WITH_SAMPLE_TOOLS=1 sh scripts/deps.sh
	@sh samples/make-samples.sh
	@sh samples/make-incident.sh

# libFuzzer on every parser, emitter and the draft (needs clang): FUZZ_SECONDS=60 by default;
# findings land in build/fuzz/ as crash-* files.
FUZZ_SECONDS ?= 60
fuzz:
	@mkdir -p build/fuzz/corpus
	clang -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer,address,undefined -DPMT_LIBFUZZER \
	    -Iinclude $(PKG_CFLAGS) $(filter-out src/main.c,$(wildcard src/*.c)) parsers/*.c \
	    tests/fuzz/fuzz_parsers.c -o build/fuzz/fuzz_parsers $(PKG_LIBS) -lcsv -lpthread -lm
	cd build/fuzz && ./fuzz_parsers -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	    corpus ../../tests/fuzz/seeds

format:
	clang-format -i src/*.c parsers/*.c include/pmt/*.h tests/unit/*.c tests/unit/*.h

clean:
	rm -rf build pmtimeline
