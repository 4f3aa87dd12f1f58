# Two commands for a newcomer on Debian 12:
#   make test   install what is missing, build, run every test
#   make demo   install what is missing, build, show the main job
# Also: make build, make guest, make bench, make fuzz, make clean, and
#   make test-under-load   the suite with both cores busy and a TCG guest beside it

SWIFT ?= swift
# SwiftPM leaves a few TemporaryDirectory.* folders behind on every run:
# keep them in the build folder, not in /tmp. (Tests put their sockets and
# VM roots under /tmp themselves.)
SWIFTPM_TMP := $(CURDIR)/.build/tmp
SWIFTPM := mkdir -p $(SWIFTPM_TMP) && TMPDIR=$(SWIFTPM_TMP) $(SWIFT)

.PHONY: all setup build guest test test-under-load demo bench fuzz clean

all: build

setup:
	@bash scripts/setup.sh

guest: setup
	@$(MAKE) -s -C guest

build: setup guest
	$(SWIFTPM) build

test: build
	$(SWIFTPM) test --no-parallel

test-under-load: build
	mkdir -p $(SWIFTPM_TMP) && TMPDIR=$(SWIFTPM_TMP) bash scripts/test-under-load.sh

demo: build
	@bash scripts/demo.sh

bench: setup guest
	$(SWIFTPM) build -c release --product virdomainobjlist-bench
	.build/release/virdomainobjlist-bench
	$(SWIFTPM) build -c release --static-swift-stdlib --product virsh
	$(SWIFTPM) build -c release --product migration-bench
	.build/release/migration-bench
	.build/release/migration-bench --upgrade --sizes 128,1024 --runs 5
	$(SWIFTPM) build -c release --static-swift-stdlib --product virsh-bench
	$(SWIFTPM) build -c release --product virtqemud
	.build/release/virsh-bench
	$(SWIFTPM) build -c release --product virtqemud-bench
	.build/release/virtqemud-bench

# libFuzzer targets (scripts/fuzz.sh), each FUZZ_SECONDS long (600 by default).
FUZZ_SECONDS ?= 600
fuzz: setup
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh

clean:
	$(MAKE) -s -C guest clean
	rm -rf .build .build-fuzz
