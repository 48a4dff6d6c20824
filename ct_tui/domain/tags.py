"""Names of the MLflow run tags that carry lineage, shared by the pipeline and ct-tui."""

GIT_COMMIT = "ct.git_commit"
"""Full hash of the git HEAD the run was trained from."""

GIT_DIRTY = "ct.git_dirty"
"""`true` when the working tree had uncommitted changes at training time, else `false`."""

DATA_MD5 = "ct.data_md5"
"""md5 of the training data as DVC records it in dvc.lock."""

DATA_PATH = "ct.data_path"
"""Path of the training data, relative to the project root."""

MLFLOW_GIT_COMMIT = "mlflow.source.git.commit"
"""MLflow's own commit tag; read as a fallback for runs that other tools logged."""
