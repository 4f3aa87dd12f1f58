# Two commands for a newcomer on Debian 12:
#   make test   install what is missing, build, run every test
#   make demo   install what is missing, build, show the main job
# Also: make build, make guest, make bench, make clean.

SWIFT ?= swift

.PHONY: all setup build guest test demo bench clean

all: build

setup:
	@bash scripts/setup.sh

guest: setup
	@$(MAKE) -s -C guest

build: setup guest
	$(SWIFT) build

test: build
	$(SWIFT) test --no-parallel

demo: build
	@bash scripts/demo.sh

bench: setup guest
	$(SWIFT) build -c release --product virdomainobjlist-bench
	.build/release/virdomainobjlist-bench
	$(SWIFT) build -c release --product migration-bench
	.build/release/migration-bench
	$(SWIFT) build -c release --static-swift-stdlib --product virsh
	$(SWIFT) build -c release --static-swift-stdlib --product virsh-bench
	.build/release/virsh-bench
	$(SWIFT) build -c release --product virtqemud
	$(SWIFT) build -c release --product virtqemud-bench
	.build/release/virtqemud-bench

clean:
	$(MAKE) -s -C guest clean
	rm -rf .build
