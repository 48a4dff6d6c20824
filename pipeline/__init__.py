"""The CT project's training code, run by DVC as the stages of dvc.yaml."""
