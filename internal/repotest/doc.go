// Package repotest holds checks on the repository as a whole rather than
// on one package: the repository must stand alone, so no file may name a
// folder beside the checkout or an absolute path of the machine it was
// written on, and every file copied from another project must be listed,
// with its licence, in testdata/SOURCES.md. The package has no code of
// its own; its tests are the checks.
package repotest
