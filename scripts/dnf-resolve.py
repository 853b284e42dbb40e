#!/usr/bin/python3
# Resolve an image's package set with dnf's own depsolver, installing nothing.
# Used by `almac lock`. Reads a JSON request on stdin, writes the resolved set as JSON on stdout.
# Request: {"releasever", "arch", "basearch", "weak_deps", "cachedir", "installroot",
#           "repos": [{"id", "baseurl"|"mirrorlist"}], "install": [...], "exclude": [...], "remove": [...]}
import json
import sys

import dnf
import dnf.exceptions
import hawkey


def main():
    req = json.load(sys.stdin)
    base = dnf.Base()
    conf = base.conf
    conf.installroot = req["installroot"]
    conf.cachedir = req["cachedir"]
    conf.releasever = req["releasever"]
    conf.reposdir = []  # only the repositories named in the request
    conf.install_weak_deps = bool(req.get("weak_deps"))
    conf.substitutions["arch"] = req["arch"]
    conf.substitutions["basearch"] = req["basearch"]
    conf.excludepkgs = list(req.get("exclude", []))
    conf.assumeyes = True
    for r in req["repos"]:
        repo = dnf.repo.Repo(r["id"], conf)
        if r.get("baseurl"):
            repo.baseurl = [r["baseurl"]]
        else:
            repo.mirrorlist = r["mirrorlist"]
        repo.gpgcheck = False
        base.repos.add(repo)
    try:
        base.fill_sack(load_system_repo=False)
        for spec in req["install"]:
            base.install(spec)
        base.resolve()
    except dnf.exceptions.Error as e:
        json.dump({"error": str(e)}, sys.stdout)
        return 1
    removed = set(req.get("remove", []))
    out = []
    for p in base.transaction.install_set:
        if p.name in removed:
            continue
        chk = p.chksum
        checksum = "%s:%s" % (hawkey.chksum_name(chk[0]), chk[1].hex()) if chk else None
        out.append({
            "name": p.name, "epoch": p.epoch, "version": p.version, "release": p.release,
            "arch": p.arch, "checksum": checksum, "repository": p.reponame,
        })
    out.sort(key=lambda x: (x["name"], x["arch"]))
    json.dump({"packages": out}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
