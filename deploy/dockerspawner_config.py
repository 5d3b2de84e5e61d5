# DockerSpawner: a class on one Docker host (JupyterHub 3+, dockerspawner 12+). Add to
# jupyterhub_config.py; the image is deploy/Dockerfile's build:
#   docker build -f deploy/Dockerfile -t tsgrad-singleuser:0.1.0 .
# Sizes come from the README's "Running a class".
c = get_config()  # noqa: F821 (defined by JupyterHub when it loads the config)

c.JupyterHub.spawner_class = "dockerspawner.DockerSpawner"
c.DockerSpawner.image = "tsgrad-singleuser:0.1.0"
c.DockerSpawner.remove = True  # containers are disposable; homes live in volumes
c.DockerSpawner.notebook_dir = "/home/jovyan"
c.DockerSpawner.volumes = {"tsgrad-home-{username}": "/home/jovyan"}
c.Spawner.default_url = "/lab/tree/tsgrad-tutorials"
# The hub must be reachable from the containers (a user-defined network, not the default bridge).
c.DockerSpawner.network_name = "jupyterhub"
c.JupyterHub.hub_ip = "0.0.0.0"

# Per student: the container's cgroup gets these; the kernel sizes its heap and thread pool
# from them (see TSGRAD_MEMORY_LIMIT_MB and friends in the README to override).
c.DockerSpawner.mem_limit = "1G"
c.DockerSpawner.cpu_limit = 1.0
# A soft floor Docker keeps free for the container under memory pressure.
c.DockerSpawner.extra_host_config = {"mem_reservation": "512m"}

# Idle kernels inside a server: shut down after 20 minutes (also with a tab still open).
c.DockerSpawner.args = [
    "--MappingKernelManager.cull_idle_timeout=1200",
    "--MappingKernelManager.cull_interval=120",
    "--MappingKernelManager.cull_connected=True",
]
# Idle servers: stopped by the hub's idle culler after an hour (pip install jupyterhub-idle-culler).
c.JupyterHub.load_roles = [
    {"name": "jupyterhub-idle-culler-role", "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
     "services": ["jupyterhub-idle-culler-service"]},
]
c.JupyterHub.services = [
    {"name": "jupyterhub-idle-culler-service", "command": ["python3", "-m", "jupyterhub_idle_culler", "--timeout=3600"]},
]
