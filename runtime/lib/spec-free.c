/* Releasing a struct husk_spec and its parts. */
#include <jansson.h>
#include <stdlib.h>

#include "husk/spec.h"

static void strv_free(struct husk_strv *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
}

static void kvv_free(struct husk_kvv *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->v[i].key);
		free(v->v[i].value);
	}
	free(v->v);
}

void husk_process_free(struct husk_process *p)
{
	if (!p)
		return;
	free(p->user.additional_gids);
	free(p->user.username);
	strv_free(&p->args);
	free(p->command_line);
	strv_free(&p->env);
	free(p->cwd);
	for (int i = 0; i < HUSK_CAP_NSETS; i++)
		strv_free(&p->caps[i]);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	free(p->exec_cpu_affinity_initial);
	free(p->exec_cpu_affinity_final);
	strv_free(&p->warnings);
	free(p);
}

static void resources_free(struct husk_resources *r)
{
	free(r->devices);
	free(r->cpu.cpus);
	free(r->cpu.mems);
	free(r->block_io.weight_devices);
	for (int t = 0; t < 4; t++)
		free(r->block_io.throttle[t]);
	for (size_t i = 0; i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	for (size_t i = 0; i < r->network.n_priorities; i++)
		free(r->network.priorities[i].name);
	free(r->network.priorities);
	for (size_t i = 0; i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	kvv_free(&r->unified);
}

static void seccomp_free(struct husk_seccomp *sc)
{
	if (!sc)
		return;
	strv_free(&sc->architectures);
	strv_free(&sc->flags);
	free(sc->listener_path);
	free(sc->listener_metadata);
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		strv_free(&sc->syscalls[i].names);
		free(sc->syscalls[i].args);
	}
	free(sc->syscalls);
	free(sc);
}

void husk_spec_free(struct husk_spec *s)
{
	struct husk_linux *l;

	if (!s)
		return;
	l = &s->linux_;
	free(s->oci_version);
	husk_process_free(s->process);
	free(s->root_path);
	free(s->hostname);
	free(s->domainname);
	for (size_t i = 0; i < s->n_mounts; i++) {
		free(s->mounts[i].destination);
		free(s->mounts[i].type);
		free(s->mounts[i].source);
		strv_free(&s->mounts[i].options);
		free(s->mounts[i].uid_mappings);
		free(s->mounts[i].gid_mappings);
	}
	free(s->mounts);
	for (int k = 0; k < HUSK_HOOK_NKINDS; k++) {
		for (size_t i = 0; i < s->n_hooks[k]; i++) {
			free(s->hooks[k][i].path);
			strv_free(&s->hooks[k][i].args);
			strv_free(&s->hooks[k][i].env);
		}
		free(s->hooks[k]);
	}
	kvv_free(&s->annotations);
	strv_free(&s->warnings);
	for (size_t i = 0; i < l->n_namespaces; i++)
		free(l->namespaces[i].path);
	free(l->namespaces);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	free(l->cgroups_path);
	resources_free(&l->resources);
	kvv_free(&l->sysctl);
	seccomp_free(l->seccomp);
	strv_free(&l->masked_paths);
	strv_free(&l->readonly_paths);
	free(l->mount_label);
	free(l->personality.domain);
	strv_free(&l->personality.flags);
	free(l->intel_rdt.clos_id);
	free(l->intel_rdt.l3_cache_schema);
	free(l->intel_rdt.mem_bw_schema);
	json_decref((json_t *)s->json);
	free(s);
}
