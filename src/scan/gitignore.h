/*
 * gitignore.h — which paths of a git work tree git ignores (gitignore.c).
 */
#ifndef SLSEC_SCAN_GITIGNORE_H
#define SLSEC_SCAN_GITIGNORE_H

#include "slsec/base.h"

typedef struct slsec_gitignore slsec_gitignore;

/* The ignore rules of the git work tree holding `path` (a file or a
 * folder; the .git is looked for from there upwards); NULL when there is
 * none. Nothing is read but configuration and ignore files. */
slsec_gitignore *slsec_gitignore_open(const char *path);
void slsec_gitignore_free(slsec_gitignore *g);

/* Rules from text alone, as if it were the top .gitignore of a work tree
 * with no other ignore file (the fuzz target and tests). */
slsec_gitignore *slsec_gitignore_from_text(const char *patterns, size_t len);

/* The work tree's top folder: absolute, without symbolic links. */
const char *slsec_gitignore_workdir(const slsec_gitignore *g);

/* Whether git ignores `rel`, a path relative to the work tree's top
 * ('/'-separated, no leading slash); is_dir: it names a directory. */
bool slsec_gitignore_ignored(slsec_gitignore *g, const char *rel, bool is_dir);

#endif
