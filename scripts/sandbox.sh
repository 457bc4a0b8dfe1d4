# shellcheck shell=bash
# Sourced by the CI scripts right after they `cd` to the repository: the aichor binary they
# run (and the git it runs) sees none of the settings of the user or machine running them:
# no AICHOR_* variable (AICHOR_BIN, the scripts' own input, is kept), no config file or pack
# in the user's config folder, no cached git pack, no global or system git configuration,
# no GIT_DIR and no active virtual environment. HOME and the user's uv/pip caches stay, so
# the tools the scripts install still come from the warm caches.
# The sandbox is target/sandbox/<script>/, made anew on each run.

_aichor_bin=${AICHOR_BIN:-}
while IFS= read -r _var; do
    unset "$_var"
done < <(compgen -e | grep -E '^(AICHOR_|GIT_)')
[[ -n $_aichor_bin ]] && export AICHOR_BIN=$_aichor_bin
unset _aichor_bin _var VIRTUAL_ENV CONDA_PREFIX PYTHONPATH PYTHONHOME

sandbox=$PWD/target/sandbox/$(basename "$0" .sh)
rm -rf "$sandbox"
mkdir -p "$sandbox/config" "$sandbox/cache"
printf '[user]\n\tname = aichor ci\n\temail = ci@example.com\n[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n' \
    >"$sandbox/gitconfig"
export XDG_CONFIG_HOME=$sandbox/config
export AICHOR_CACHE_DIR=$sandbox/cache
export AICHOR_NO_CONFIG=1
export GIT_CONFIG_GLOBAL=$sandbox/gitconfig
export GIT_CONFIG_NOSYSTEM=1
