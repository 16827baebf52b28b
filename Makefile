# gotee — build, run and test. `make run` and `make test` are the two set-up
# commands of the README; `.ci/run` runs `make test`.

GO      ?= go
CC      ?= cc
BUILD   := $(CURDIR)/build
TAS     := hello_world random bench aes hotp sha acipher sign_verify ecdsa ecdh secure_storage drm
CLIENTS := hello_world random aes hotp sha acipher sign_verify ecdsa ecdh secure_storage drm

.PHONY: all build bin tas lib secapi-lib examples run test vet staticcheck bench clean
all: build

build: bin lib secapi-lib tas examples

bin:
	$(GO) build -o $(BUILD)/bin/ ./cmd/teed ./cmd/teectl ./cmd/secapi-provision
	$(GO) build -o $(BUILD)/bin/ $(addprefix ./examples/client/,$(CLIENTS))

# Each example TA is built, then packed and signed with the development key
# (created on first use outside the repository, see `teectl keygen`).
tas: bin
	@mkdir -p $(BUILD)/ta-bin $(BUILD)/ta
	@set -e; for t in $(TAS); do \
		$(GO) build -o $(BUILD)/ta-bin/$$t ./examples/ta/$$t; \
		$(BUILD)/bin/teectl pack -manifest examples/ta/$$t/manifest.toml \
			-binary $(BUILD)/ta-bin/$$t -out $(BUILD)/ta/$$t; \
	done
	$(GO) build -o $(BUILD)/ta-bin/secapi ./secapi/ta
	$(BUILD)/bin/teectl pack -manifest secapi/ta/manifest.toml \
		-binary $(BUILD)/ta-bin/secapi -out $(BUILD)/ta/secapi

lib:
	@mkdir -p $(BUILD)/lib/pkgconfig $(BUILD)/include $(BUILD)/obj
	$(GO) build -buildmode=c-shared \
		-ldflags="-extldflags '-Wl,-soname,libteec.so.1 -Wl,--version-script=$(CURDIR)/libteec/libteec.map'" \
		-o $(BUILD)/obj/libteec.so.1 ./libteec
	cp $(BUILD)/obj/libteec.so.1 $(BUILD)/lib/libteec.so.1
	ln -sf libteec.so.1 $(BUILD)/lib/libteec.so
	cp -p libteec/include/tee_client_api.h $(BUILD)/include/
	sed 's#@PREFIX@#$(BUILD)#' libteec/teec.pc.in > $(BUILD)/lib/pkgconfig/teec.pc

# libsaclient, the SecAPI 3 C client library (secapi/c), named and versioned as
# RDK's CMake names it: SONAME libsaclient.so.3.4.1, libsaclient.so links to it.
SA_VERSION := 3.4.1
SA_HEADERS := sa.h sa_types.h sa_key.h sa_crypto.h sa_svp.h sa_cenc.h
secapi-lib:
	@mkdir -p $(BUILD)/lib/pkgconfig $(BUILD)/include $(BUILD)/obj
	$(GO) build -buildmode=c-shared \
		-ldflags="-extldflags '-Wl,-soname,libsaclient.so.$(SA_VERSION) -Wl,--version-script=$(CURDIR)/secapi/c/saclient.map'" \
		-o $(BUILD)/obj/libsaclient.so.$(SA_VERSION) ./secapi/c
	cp $(BUILD)/obj/libsaclient.so.$(SA_VERSION) $(BUILD)/lib/libsaclient.so.$(SA_VERSION)
	ln -sf libsaclient.so.$(SA_VERSION) $(BUILD)/lib/libsaclient.so
	cp -p $(addprefix secapi/c/include/,$(SA_HEADERS)) $(BUILD)/include/
	sed 's#@PREFIX@#$(BUILD)#' secapi/c/saclient.pc.in > $(BUILD)/lib/pkgconfig/saclient.pc

examples: lib
	$(CC) -Wall -Werror -I$(BUILD)/include -o $(BUILD)/bin/optee_example_hello_world \
		examples/c/hello_world/main.c -L$(BUILD)/lib -lteec -Wl,-rpath,$(BUILD)/lib

# Start teed on the example TAs, run the example clients against it, stop teed.
run: build
	scripts/run.sh $(BUILD)

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }

staticcheck:
	$(GO) tool staticcheck ./...

# The whole suite: build (end-to-end tests use the binaries), vet, staticcheck, and
# every test with the race detector.
test: build vet staticcheck
	$(GO) test -race -count=1 -timeout 20m ./...

bench: build
	$(GO) test -run '^$$' -bench . -benchtime 2s ./bench/

clean:
	rm -rf $(BUILD)
