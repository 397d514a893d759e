# MeetingOps image: the web process (default CMD), and the worker and scheduler of
# docker-compose.yml, which override the command. Configuration comes from the
# environment at run time (meetingops/config.py); nothing secret is baked in.
FROM python:3.11-slim

# PYTHONPATH: run the code from /app, not the copy `pip install .` puts in
# site-packages, because settings.BASE_DIR must be /app for templates/, static/ and
# locale/ to be found. VAR_DIR: media and mail live on volumes mounted under it.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    VAR_DIR=/app/var

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app app

WORKDIR /app

# Dependencies in their own layer, read from pyproject.toml: a code change does not
# reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The code stays owned by root: the app user can read it but not change it.
COPY meetingops ./meetingops
COPY bookings ./bookings
COPY security ./security
COPY training ./training
COPY oversight ./oversight
# README.md is the package's `readme` in pyproject.toml, so `pip install .` needs it.
COPY README.md manage.py ./
COPY templates ./templates
COPY static ./static
COPY locale ./locale
RUN pip install . \
    && rm -rf build ./*.egg-info

# Only the var dir is writable by the app user. Named volumes mounted on media/ and
# mail/ start with this ownership.
RUN mkdir -p /app/var/media /app/var/mail \
    && chown -R app:app /app/var

USER app

# Static files are collected into the image (var/staticfiles, served by WhiteNoise), so
# they always match the code. Settings refuse to load without a SECRET_KEY when DEBUG
# is false: this throwaway key is set for this command only, never in the image's
# environment. It shows in the build history, so it must never be a real key.
RUN DEBUG=false \
    SECRET_KEY=build-only-collectstatic-key-never-used-at-run-time-0123456789 \
    python manage.py collectstatic --noinput

EXPOSE 8000

CMD ["gunicorn", "meetingops.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
