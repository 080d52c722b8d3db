#!/usr/bin/env bash
echo "first line of deploy $OPS_DEPLOY_ID"
